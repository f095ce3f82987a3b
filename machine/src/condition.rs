// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Conditions as machine types, and the pure merge that owns `lastTransitionTime`.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

use crate::Reason;

/// A point in time as whole seconds since the Unix epoch. The machine never reads a clock:
/// the shell passes "now" in.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Time elapsed from `earlier` to `self`; zero when `earlier` is in the future (clock skew
    /// between the stored status and this process must not look like a stall).
    pub const fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_secs(self.0.saturating_sub(earlier.0))
    }
}

/// The condition types the machine writes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
pub enum ConditionType {
    // `True` only in phase `Ready`.
    Ready,
    // `True` only while the operator has work under way (and is not blocked on a user).
    Progressing,
    // `True` only in phase `Degraded`.
    Degraded,
    // Outcome of the spec checks.
    SpecValid,
    // Outcome of the credentials Secret check.
    CredentialsValid,
    // Outcome of applying RBAC, Services and StatefulSets.
    ResourcesApplied,
    // `True` while volumes of a pool grow to a size the spec raised (PVC resizing).
    VolumesResizing,
}

/// `True`, `False` or `Unknown`, as in `metav1.Condition`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

impl From<bool> for ConditionStatus {
    fn from(value: bool) -> Self {
        if value {
            ConditionStatus::True
        } else {
            ConditionStatus::False
        }
    }
}

/// A condition a transition wants written; it carries no time (see [`merge_conditions`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Condition {
    pub type_: ConditionType,
    pub status: ConditionStatus,
    /// CamelCase, as Kubernetes requires.
    pub reason: Reason,
    pub message: String,
}

/// A condition as stored in the status: the shell converts it to and from
/// `metav1.Condition`. `type_` is a string so conditions written by others survive a merge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConditionRecord {
    pub type_: String,
    pub status: ConditionStatus,
    pub reason: String,
    pub message: String,
    pub last_transition_time: Timestamp,
}

/// Merges the conditions a reconcile produced into the stored ones.
///
/// `new` may hold several conditions of one type (for example the conditions of every
/// transition of a reconcile, concatenated in order): the last one of each type wins.
/// `lastTransitionTime` becomes `now` only when a type is new or its status differs from the
/// stored one; reason and message changes alone keep the old time. Stored conditions of
/// types not in `new` are kept unchanged. The order is the stored order, then new types in
/// the order they first appear, so an unchanged reconcile yields an identical list.
pub fn merge_conditions(
    old: &[ConditionRecord],
    new: &[Condition],
    now: Timestamp,
) -> Vec<ConditionRecord> {
    let latest = |type_: &str| new.iter().rev().find(|c| c.type_.as_ref() == type_);
    let record = |c: &Condition, time: Timestamp| ConditionRecord {
        type_: c.type_.to_string(),
        status: c.status,
        reason: c.reason.to_string(),
        message: c.message.clone(),
        last_transition_time: time,
    };

    let mut merged: Vec<ConditionRecord> = old
        .iter()
        .map(|stored| match latest(&stored.type_) {
            None => stored.clone(),
            Some(c) if c.status == stored.status => record(c, stored.last_transition_time),
            Some(c) => record(c, now),
        })
        .collect();
    for c in new {
        if !merged.iter().any(|m| m.type_ == c.type_.as_ref()) {
            let winner = latest(c.type_.as_ref()).unwrap_or(c);
            merged.push(record(winner, now));
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(type_: ConditionType, status: ConditionStatus, reason: Reason) -> Condition {
        Condition {
            type_,
            status,
            reason,
            message: format!("{type_} is {status}"),
        }
    }

    #[test]
    fn new_types_get_now_and_keep_first_appearance_order() {
        let new = [
            cond(
                ConditionType::Ready,
                ConditionStatus::False,
                Reason::GenerationChanged,
            ),
            cond(
                ConditionType::Progressing,
                ConditionStatus::True,
                Reason::GenerationChanged,
            ),
            cond(
                ConditionType::Ready,
                ConditionStatus::True,
                Reason::AllPoolsReady,
            ),
        ];
        let merged = merge_conditions(&[], &new, Timestamp(50));
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].type_, "Ready");
        assert_eq!(
            merged[0].status,
            ConditionStatus::True,
            "last of a type wins"
        );
        assert_eq!(merged[0].reason, "AllPoolsReady");
        assert_eq!(merged[0].last_transition_time, Timestamp(50));
        assert_eq!(merged[1].type_, "Progressing");
    }

    #[test]
    fn time_moves_only_when_status_flips() {
        let old = merge_conditions(
            &[],
            &[
                cond(
                    ConditionType::Ready,
                    ConditionStatus::True,
                    Reason::AllPoolsReady,
                ),
                cond(
                    ConditionType::Degraded,
                    ConditionStatus::False,
                    Reason::AllPoolsReady,
                ),
            ],
            Timestamp(10),
        );
        let merged = merge_conditions(
            &old,
            &[
                // Same status, new reason: time kept.
                cond(
                    ConditionType::Ready,
                    ConditionStatus::True,
                    Reason::Recovered,
                ),
                // Flipped: time moves.
                cond(
                    ConditionType::Degraded,
                    ConditionStatus::True,
                    Reason::ReadinessLost,
                ),
            ],
            Timestamp(99),
        );
        assert_eq!(merged[0].reason, "Recovered");
        assert_eq!(merged[0].last_transition_time, Timestamp(10));
        assert_eq!(merged[1].status, ConditionStatus::True);
        assert_eq!(merged[1].last_transition_time, Timestamp(99));
    }

    #[test]
    fn intermediate_flips_within_one_reconcile_do_not_move_time() {
        let old = merge_conditions(
            &[],
            &[cond(
                ConditionType::SpecValid,
                ConditionStatus::True,
                Reason::SpecValid,
            )],
            Timestamp(10),
        );
        // GenerationChanged resets to Unknown, validation sets True again: net unchanged.
        let merged = merge_conditions(
            &old,
            &[
                cond(
                    ConditionType::SpecValid,
                    ConditionStatus::Unknown,
                    Reason::GenerationChanged,
                ),
                cond(
                    ConditionType::SpecValid,
                    ConditionStatus::True,
                    Reason::SpecValid,
                ),
            ],
            Timestamp(99),
        );
        assert_eq!(merged, old);
    }

    #[test]
    fn foreign_and_untouched_conditions_survive() {
        let foreign = ConditionRecord {
            type_: "example.com/Custom".into(),
            status: ConditionStatus::Unknown,
            reason: "Whatever".into(),
            message: String::new(),
            last_transition_time: Timestamp(1),
        };
        let merged = merge_conditions(
            std::slice::from_ref(&foreign),
            &[cond(
                ConditionType::Ready,
                ConditionStatus::False,
                Reason::SpecInvalid,
            )],
            Timestamp(5),
        );
        assert_eq!(merged[0], foreign);
        assert_eq!(merged[1].type_, "Ready");
    }

    #[test]
    fn since_saturates_on_skew() {
        assert_eq!(Timestamp(5).since(Timestamp(9)), Duration::ZERO);
        assert_eq!(Timestamp(9).since(Timestamp(5)), Duration::from_secs(4));
    }
}
