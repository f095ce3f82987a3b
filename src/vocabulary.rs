// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! One vocabulary from validate to machine: every translation between the checks' types
//! ([`crate::validate`]), the effects' outcome ([`crate::effects::ApplyOutcome`]), the
//! status types ([`crate::api`]) and the state machine's facts lives here.
//!
//! They are `From` impls wherever Rust allows one; a pair of types that are both foreign
//! to this crate (a Kubernetes `Condition` and a machine `ConditionRecord`) gets a function.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp as JiffTimestamp;
use machine::{ConditionRecord, ConditionStatus, Credentials, Input, PoolRollout, Timestamp};

use crate::api::v1alpha1::{PoolState, PoolStatus, Tenant};
use crate::effects::ApplyOutcome;
use crate::validate::{self, CredentialsProblem};

/// A spec problem, as the machine's `SpecChecked` input carries it.
impl From<validate::Problem> for machine::SpecProblem {
    fn from(p: validate::Problem) -> Self {
        machine::SpecProblem {
            field: p.field,
            message: p.message,
        }
    }
}

/// The verdict on a credentials Secret that failed the check. Names only, never values.
impl From<CredentialsProblem> for Credentials {
    fn from(problem: CredentialsProblem) -> Self {
        match problem {
            CredentialsProblem::Missing { ref secret } => Credentials::Missing {
                secret: secret.clone(),
                fix: format!(
                    "create it with keys '{}' and '{}' (each at least {} characters), or point spec.credsSecret.name at an existing Secret",
                    validate::credentials::ACCESS_KEY,
                    validate::credentials::SECRET_KEY,
                    validate::credentials::MIN_CREDENTIAL_LEN
                ),
            },
            CredentialsProblem::MissingKey {
                ref secret,
                ref key,
            }
            | CredentialsProblem::NotUtf8 {
                ref secret,
                ref key,
            }
            | CredentialsProblem::TooShort {
                ref secret,
                ref key,
                ..
            } => Credentials::Invalid {
                secret: secret.clone(),
                key: key.clone(),
                problem: problem.to_string(),
            },
        }
    }
}

/// The verdict on a data-path Secret (internode secret, TLS, CA) that failed the check.
impl From<validate::secrets::SecretProblem> for Credentials {
    fn from(problem: validate::secrets::SecretProblem) -> Self {
        use validate::secrets::SecretProblem;
        match problem {
            SecretProblem::Missing { secret, fix } => Credentials::Missing { secret, fix },
            SecretProblem::MissingKey { secret, key, fix } => Credentials::Invalid {
                secret,
                key,
                problem: format!("the key is absent: {fix}"),
            },
            SecretProblem::Invalid {
                secret,
                key,
                problem,
            } => Credentials::Invalid {
                secret,
                key,
                problem,
            },
        }
    }
}

/// How a transition's applies went, as the machine's next input.
impl From<ApplyOutcome> for Input {
    fn from(outcome: ApplyOutcome) -> Self {
        match outcome {
            ApplyOutcome::Applied => Input::Applied(machine::Applied::Ok),
            ApplyOutcome::Refused(changes) => Input::Applied(machine::Applied::Refused { changes }),
            ApplyOutcome::Rejected(message) => {
                Input::Applied(machine::Applied::Rejected { message })
            }
            ApplyOutcome::Transient(message) => Input::TransientError { message },
        }
    }
}

/// A pool's state as the machine judged it, for `status.pools[].state`.
impl From<machine::PoolState> for PoolState {
    fn from(state: machine::PoolState) -> Self {
        match state {
            machine::PoolState::Ready => PoolState::Ready,
            machine::PoolState::Updating => PoolState::Updating,
            machine::PoolState::NotReady => PoolState::NotReady,
        }
    }
}

/// The previous observation of a pool, as the status stored it.
impl From<&PoolStatus> for PoolRollout {
    fn from(p: &PoolStatus) -> Self {
        PoolRollout {
            name: p.name.clone(),
            desired: p.replicas.max(0) as u32,
            ready: p.ready_replicas.max(0) as u32,
            updated: p.updated_replicas.max(0) as u32,
            observed: p.observed,
            current_revision: p.current_revision.clone().unwrap_or_default(),
            update_revision: p.update_revision.clone().unwrap_or_default(),
            resizing: p.volumes_resizing.max(0) as u32,
            filesystem_pending: p.filesystem_resize_pending.max(0) as u32,
        }
    }
}

/// A refused StatefulSet change, pinned to the pool its field path names (`*` when it
/// concerns the pool list itself). A function, as it needs the Tenant for the pool name.
pub fn refused_change(tenant: &Tenant, c: validate::RefusedChange) -> machine::RefusedChange {
    machine::RefusedChange {
        pool: pool_of(tenant, &c.field),
        field: c.field,
        detail: c.message,
    }
}

/// The pool a field path such as `spec.pools[2].servers` points at, by name.
fn pool_of(tenant: &Tenant, field: &str) -> String {
    field
        .split_once("pools[")
        .and_then(|(_, rest)| rest.split_once(']'))
        .and_then(|(index, _)| index.parse::<usize>().ok())
        .and_then(|i| tenant.spec.pools.get(i))
        .map_or_else(|| "*".to_owned(), |p| p.name.clone())
}

/// A stored status condition, as the machine merges it.
pub fn condition_record(c: &Condition) -> ConditionRecord {
    ConditionRecord {
        type_: c.type_.clone(),
        status: match c.status.as_str() {
            "True" => ConditionStatus::True,
            "False" => ConditionStatus::False,
            _ => ConditionStatus::Unknown,
        },
        reason: c.reason.clone(),
        message: c.message.clone(),
        last_transition_time: Timestamp(c.last_transition_time.0.as_second().max(0) as u64),
    }
}

/// A merged condition, as the status stores it.
pub fn condition(r: &ConditionRecord, observed_generation: Option<i64>) -> Condition {
    Condition {
        type_: r.type_.clone(),
        status: r.status.to_string(),
        reason: r.reason.clone(),
        message: r.message.clone(),
        observed_generation,
        last_transition_time: Time(
            JiffTimestamp::from_second(r.last_transition_time.0 as i64)
                .unwrap_or(JiffTimestamp::UNIX_EPOCH),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::fixtures::TenantBuilder;

    #[test]
    fn a_refused_change_names_the_pool_of_its_field() {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .pool("p1", 4, 4)
            .build();
        let change = |field: &str| validate::RefusedChange {
            field: field.into(),
            message: "m".into(),
        };
        assert_eq!(
            refused_change(&t, change("spec.pools[1].servers")).pool,
            "p1"
        );
        assert_eq!(
            refused_change(&t, change("spec.pools[7].servers")).pool,
            "*"
        );
        assert_eq!(refused_change(&t, change("spec.pools")).pool, "*");
    }

    #[test]
    fn an_unusable_secret_is_invalid_and_names_the_key() {
        let c: Credentials = CredentialsProblem::TooShort {
            secret: "s".into(),
            key: "accesskey".into(),
            min: 8,
        }
        .into();
        let Credentials::Invalid {
            secret,
            key,
            problem,
        } = c
        else {
            panic!("not Invalid: {c:?}");
        };
        assert_eq!((secret.as_str(), key.as_str()), ("s", "accesskey"));
        assert!(problem.contains("shorter than 8"), "{problem}");
        let missing: Credentials = CredentialsProblem::Missing { secret: "s".into() }.into();
        let Credentials::Missing { secret, fix } = missing else {
            panic!("not Missing: {missing:?}");
        };
        assert_eq!(secret, "s");
        assert!(fix.contains("keys 'accesskey' and 'secretkey'"), "{fix}");
    }

    #[test]
    fn conditions_round_trip_through_the_machine() {
        let record = ConditionRecord {
            type_: "Ready".into(),
            status: ConditionStatus::False,
            reason: "PodsNotReady".into(),
            message: "m".into(),
            last_transition_time: Timestamp(1_700_000_000),
        };
        let stored = condition(&record, Some(3));
        assert_eq!(stored.observed_generation, Some(3));
        assert_eq!(condition_record(&stored), record);
    }
}
