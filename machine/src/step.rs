// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! [`step`]: one decision, driven by [`crate::TABLE`].

use std::fmt;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

use crate::{
    Applied, Await, Condition, ConditionStatus, ConditionType, Config, Credentials, Desired, Fact,
    Input, Phase, Step, edge_for,
};

/// Why a step failed, by who can fix it; decides how soon to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter, AsRefStr, IntoStaticStr)]
pub enum ErrorClass {
    /// The credentials Secret is missing or unusable: a user must act.
    Credentials,
    /// The spec (or a change to it) cannot be applied: a user must act.
    Validation,
    /// An API call failed and may succeed on retry.
    Transient,
}

impl ErrorClass {
    /// How soon to try again after an error of this class: the wait of the [`Requeue`]
    /// whose [`Requeue::error_class`] it is (that is the only mapping between the two).
    pub fn requeue(self) -> Duration {
        Requeue::iter()
            .find(|r| r.error_class() == Some(self))
            .map_or(Requeue::Transient.after(), Requeue::after)
    }
}

/// When to reconcile again if no watch event comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter, AsRefStr, IntoStaticStr)]
pub enum Requeue {
    /// [`ErrorClass::Credentials`]: 60 s.
    Credentials,
    /// [`ErrorClass::Validation`]: 15 s.
    Validation,
    /// [`ErrorClass::Transient`]: 5 s.
    Transient,
    /// A rollout is under way (or a Tenant is degraded): watch events drive it, this is the
    /// safety net. 10 s.
    Rollout,
    /// Nothing to do until something changes: 5 min.
    Resync,
}

impl Requeue {
    pub const fn after(self) -> Duration {
        Duration::from_secs(match self {
            Requeue::Credentials => 60,
            Requeue::Validation => 15,
            Requeue::Transient => 5,
            Requeue::Rollout => 10,
            Requeue::Resync => 300,
        })
    }

    /// The error class behind this requeue, if it is an error's.
    pub const fn error_class(self) -> Option<ErrorClass> {
        match self {
            Requeue::Credentials => Some(ErrorClass::Credentials),
            Requeue::Validation => Some(ErrorClass::Validation),
            Requeue::Transient => Some(ErrorClass::Transient),
            Requeue::Rollout | Requeue::Resync => None,
        }
    }
}

/// Whether this reconcile goes on after a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Next {
    /// Gather what the new phase awaits ([`Phase::awaits`]) and step again.
    Continue,
    /// Stop here: write the status and requeue after [`Requeue::after`].
    Wait(Requeue),
}

impl Next {
    pub const fn requeue(self) -> Option<Requeue> {
        match self {
            Next::Continue => None,
            Next::Wait(requeue) => Some(requeue),
        }
    }
}

/// CamelCase reasons, used for `status.reason`, condition reasons and event reasons.
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
pub enum Reason {
    GenerationChanged,
    Resumed,
    Retrying,
    ResourcesDrifted,
    TransientError,
    SpecValid,
    SpecInvalid,
    CredentialsValid,
    NoCredentialsSecret,
    CredentialsSecretMissing,
    CredentialsInvalid,
    ResourcesApplied,
    ChangeRefused,
    ApplyRejected,
    AllPoolsReady,
    RolloutInProgress,
    RolloutStalled,
    ReadinessLost,
    PodsNotReady,
    Recovered,
    DrivesOffline,
    QuorumLost,
    DecommissionStarted,
    Decommissioning,
    PoolDecommissioned,
    DecommissionFailed,
    DecommissionCanceled,
    VolumesResizing,
}

/// `type` of a Kubernetes Event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter, AsRefStr, IntoStaticStr)]
pub enum EventKind {
    Normal,
    Warning,
}

/// A side effect, as data. The shell's effect runner is the only code that writes to the
/// API server, and it writes nothing that is not one of these (plus the status).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Server-side apply the ServiceAccount, Role and RoleBinding.
    ApplyRbac,
    /// Server-side apply the IO, console and headless Services.
    ApplyServices,
    /// Server-side apply the StatefulSet of one pool and its PodDisruptionBudget.
    ApplyStatefulSet { pool: String },
    /// Delete the StatefulSet and PodDisruptionBudget of a pool whose decommission
    /// completed (never its PersistentVolumeClaims).
    RetirePool { pool: String },
    /// Ask RustFS to start draining a pool.
    StartDecommission { pool: String },
    /// Ask RustFS to stop draining a pool.
    CancelDecommission { pool: String },
    /// Record a Kubernetes Event on the Tenant.
    RecordEvent {
        kind: EventKind,
        reason: Reason,
        message: String,
    },
}

/// The outcome of one [`step`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transition {
    pub from: Phase,
    pub to: Phase,
    /// The classified input that selected the edge.
    pub fact: Fact,
    /// CamelCase, for `status.reason`.
    pub reason: Reason,
    /// For `status.message`; names the cause on every error.
    pub message: String,
    /// To run in order, before gathering the next input.
    pub effects: Vec<Effect>,
    /// To merge into the status with [`crate::merge_conditions`].
    pub conditions: Vec<Condition>,
    pub next: Next,
    /// The step that failed, exactly when `to` is [`Phase::Failed`].
    pub failed_step: Option<Step>,
}

/// The phase does not accept this fact: a bug in the shell (it fed something other than
/// what [`Phase::awaits`] asked for, or did not start with [`begin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unexpected {
    pub phase: Phase,
    pub fact: Fact,
}

impl fmt::Display for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "phase {} does not accept input {}",
            self.phase, self.fact
        )
    }
}

impl std::error::Error for Unexpected {}

/// The most transitions one reconcile can take. The table's `Continue` edges form no cycle
/// once the first input is fed (a test proves it), so a reconcile always ends in a wait.
pub const MAX_STEPS: usize = 8;

/// The phase to start a reconcile from and its first input.
///
/// `stored` is `status.phase` (`None` for a new Tenant), `generation_changed` is
/// `metadata.generation != status.observedGeneration`, `drifted` names owned objects that
/// are missing or differ from what the operator would apply.
pub fn begin(
    stored: Option<Phase>,
    generation_changed: bool,
    drifted: Vec<String>,
) -> (Phase, Input) {
    match stored {
        None => (Phase::Validating, Input::GenerationChanged),
        Some(phase) if generation_changed => (phase, Input::GenerationChanged),
        Some(phase) => (phase, Input::Resumed { drifted }),
    }
}

/// Decides one transition: looks up the edge for `(phase, fact of input)` in
/// [`crate::TABLE`] and fills in effects, conditions and message from the input.
pub fn step(
    config: &Config,
    desired: &Desired,
    phase: Phase,
    input: &Input,
) -> Result<Transition, Unexpected> {
    let fact = input.fact(config, desired);
    let edge = edge_for(phase, fact).ok_or(Unexpected { phase, fact })?;
    let to = edge.to.resolve(phase);
    let failed_step = if to == Phase::Failed {
        phase.step()
    } else {
        None
    };

    let detail = describe(edge.reason, phase, input, config, desired);
    let message = match failed_step {
        Some(step) => format!("{step} failed: {detail}"),
        None => detail.clone(),
    };

    let mut effects = Vec::new();
    if edge.apply {
        effects.reserve(desired.pools.len() + 3);
        effects.push(Effect::ApplyRbac);
        effects.push(Effect::ApplyServices);
        effects.extend(desired.pools.iter().map(|p| Effect::ApplyStatefulSet {
            pool: p.name.clone(),
        }));
        effects.extend(
            desired
                .retired
                .iter()
                .map(|pool| Effect::RetirePool { pool: pool.clone() }),
        );
    }
    if let Input::Observed(rollout) = input {
        match (&rollout.decommission, fact) {
            (crate::Decommission::Requested { pool }, Fact::DecommissionRequested) => {
                effects.push(Effect::StartDecommission { pool: pool.clone() })
            }
            (crate::Decommission::CancelRequested { pool }, Fact::DecommissionCancelRequested) => {
                effects.push(Effect::CancelDecommission { pool: pool.clone() })
            }
            _ => {}
        }
    }
    if let Some(kind) = edge.event {
        effects.push(Effect::RecordEvent {
            kind,
            reason: edge.reason,
            message: message.clone(),
        });
    }

    let blocked_on_user = matches!(
        edge.next,
        Next::Wait(Requeue::Credentials | Requeue::Validation)
    );
    let summary = |type_, status: bool| Condition {
        type_,
        status: status.into(),
        reason: edge.reason,
        message: message.clone(),
    };
    // A pool being drained is work under way, though the Tenant serves meanwhile.
    let draining = matches!(
        fact,
        Fact::DecommissionRequested | Fact::DecommissionRunning | Fact::DecommissionComplete
    );
    let mut conditions = vec![
        summary(ConditionType::Ready, to == Phase::Ready),
        summary(
            ConditionType::Progressing,
            (to.is_working() || draining) && !blocked_on_user,
        ),
        summary(ConditionType::Degraded, to == Phase::Degraded),
    ];
    let step_condition = |type_, status, reason| Condition {
        type_,
        status,
        reason,
        message: detail.clone(),
    };
    match fact {
        Fact::GenerationChanged => {
            for type_ in [
                ConditionType::SpecValid,
                ConditionType::CredentialsValid,
                ConditionType::ResourcesApplied,
            ] {
                conditions.push(step_condition(type_, ConditionStatus::Unknown, edge.reason));
            }
        }
        Fact::Drifted => conditions.push(step_condition(
            ConditionType::ResourcesApplied,
            ConditionStatus::False,
            crate::Reason::ResourcesDrifted,
        )),
        Fact::SpecValid | Fact::CredentialsOk | Fact::CredentialsNotConfigured | Fact::Applied => {
            conditions.push(step_condition(
                step_condition_type(fact),
                ConditionStatus::True,
                edge.reason,
            ))
        }
        Fact::SpecInvalid
        | Fact::CredentialsMissing
        | Fact::CredentialsInvalid
        | Fact::ChangeRefused
        | Fact::ApplyRejected => conditions.push(step_condition(
            step_condition_type(fact),
            ConditionStatus::False,
            edge.reason,
        )),
        Fact::Resumed | Fact::TransientError => {}
        Fact::RolloutComplete
        | Fact::VolumesResizing
        | Fact::RolloutProgressing
        | Fact::RolloutStalled
        | Fact::DrivesOffline
        | Fact::QuorumLost
        | Fact::DecommissionRequested
        | Fact::DecommissionRunning
        | Fact::DecommissionComplete
        | Fact::DecommissionFailed
        | Fact::DecommissionCancelRequested => {
            if let Input::Observed(rollout) = input {
                let resizing = rollout.resizing();
                conditions.push(step_condition(
                    ConditionType::VolumesResizing,
                    resizing.into(),
                    if resizing {
                        crate::Reason::VolumesResizing
                    } else {
                        edge.reason
                    },
                ));
            }
        }
    }

    Ok(Transition {
        from: phase,
        to,
        fact,
        reason: edge.reason,
        message,
        effects,
        conditions,
        next: edge.next,
        failed_step,
    })
}

fn step_condition_type(fact: Fact) -> ConditionType {
    match fact.input_kind() {
        crate::InputKind::SpecChecked => ConditionType::SpecValid,
        crate::InputKind::CredentialsChecked => ConditionType::CredentialsValid,
        _ => ConditionType::ResourcesApplied,
    }
}

/// The human message of a transition. Must not vary between identical reconciles (no
/// elapsed times), or an idle Tenant would get a status write every time.
fn describe(
    reason: Reason,
    phase: Phase,
    input: &Input,
    config: &Config,
    desired: &Desired,
) -> String {
    match input {
        Input::GenerationChanged => "the spec changed; checking the new generation".into(),
        Input::Resumed { drifted } if drifted.is_empty() => match phase {
            Phase::Failed => "checking again from the spec after a failure".into(),
            _ => format!("resuming in phase {phase}"),
        },
        Input::Resumed { drifted } => {
            format!("owned objects missing or changed: {}", drifted.join(", "))
        }
        Input::SpecChecked(Ok(())) => "the spec is valid".into(),
        Input::SpecChecked(Err(problems)) if problems.is_empty() => "the spec is invalid".into(),
        Input::SpecChecked(Err(problems)) => {
            let list: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect();
            format!("the spec is invalid: {}", list.join("; "))
        }
        Input::CredentialsChecked(Credentials::Ok { secret }) => {
            format!("Secret {secret} has usable accesskey and secretkey")
        }
        Input::CredentialsChecked(Credentials::NotConfigured) => {
            "no credentials Secret referenced: RustFS uses RUSTFS_ACCESS_KEY and \
             RUSTFS_SECRET_KEY from spec.env, or its defaults"
                .into()
        }
        Input::CredentialsChecked(Credentials::Missing { secret, fix }) => {
            format!("Secret {secret} not found in the Tenant's namespace: {fix}")
        }
        Input::CredentialsChecked(Credentials::Invalid {
            secret,
            key,
            problem,
        }) => format!("Secret {secret}, key {key}: {problem}"),
        Input::Applied(Applied::Ok) => format!(
            "applied RBAC, Services and {} StatefulSet(s)",
            desired.pools.len()
        ),
        Input::Applied(Applied::Refused { changes }) => {
            let list: Vec<String> = changes
                .iter()
                .map(|c| format!("pool {} {}: {}", c.pool, c.field, c.detail))
                .collect();
            format!("change refused, nothing applied: {}", list.join("; "))
        }
        Input::Applied(Applied::Rejected { message }) => {
            format!("the API server rejected a resource: {message}")
        }
        Input::TransientError { message } => format!(
            "transient API error, retrying in {}s: {message}",
            ErrorClass::Transient.requeue().as_secs()
        ),
        Input::Observed(rollout) => {
            let summary = rollout.summary(desired);
            let pods = match reason {
                Reason::AllPoolsReady | Reason::Recovered => {
                    format!("all {} pool(s) ready: {summary}", desired.pools.len())
                }
                Reason::RolloutStalled => format!(
                    "no rollout progress for {}s or more: {summary}",
                    config.rollout_stall_after.as_secs()
                ),
                Reason::ReadinessLost => format!("readiness lost: {summary}"),
                Reason::PodsNotReady => format!("pods not ready: {summary}"),
                Reason::VolumesResizing => {
                    format!("PVC resizing: the pods run, volumes grow to the new size: {summary}")
                }
                Reason::DrivesOffline => format!("drives offline, pods ready: {summary}"),
                Reason::QuorumLost => format!("erasure quorum lost: {summary}"),
                Reason::DecommissionStarted
                | Reason::Decommissioning
                | Reason::PoolDecommissioned
                | Reason::DecommissionFailed
                | Reason::DecommissionCanceled => describe_decommission(&rollout.decommission),
                _ => format!("rollout in progress: {summary}"),
            };
            match rollout.storage.problem() {
                Some(problem) => format!("{pods}; RustFS reports {problem}"),
                None => pods,
            }
        }
    }
}

/// The message of a decommission step: which pool, and how far RustFS got.
fn describe_decommission(d: &crate::Decommission) -> String {
    use crate::Decommission as D;
    match d {
        D::None => "no decommission".into(),
        D::Requested { pool } => {
            format!("pool {pool}: decommission requested; asking RustFS to drain it")
        }
        D::Running { pool, detail } => format!("pool {pool}: RustFS is draining it: {detail}"),
        D::Complete { pool, detail } => format!(
            "pool {pool}: drained ({detail}); it leaves RUSTFS_VOLUMES, the other servers restart, its StatefulSet goes and its PersistentVolumeClaims stay"
        ),
        D::Failed { pool, detail } => format!(
            "pool {pool}: RustFS's decommission failed: {detail}; set spec.pools[].decommission to false to cancel, or back to true to retry"
        ),
        D::CancelRequested { pool } => {
            format!("pool {pool}: decommission no longer asked for; asking RustFS to stop it")
        }
    }
}

/// Runs a whole reconcile synchronously: starts with `(phase, input)` (see [`begin`]) and
/// asks `gather` for each next input until a transition waits, or [`MAX_STEPS`] is reached.
/// Meant for tests, benchmarks and tools; the async shell writes the same loop itself.
pub fn drive(
    config: &Config,
    desired: &Desired,
    mut phase: Phase,
    mut input: Input,
    mut gather: impl FnMut(Await, &Transition) -> Input,
) -> Result<Vec<Transition>, Unexpected> {
    let mut transitions: Vec<Transition> = Vec::with_capacity(MAX_STEPS);
    while transitions.len() < MAX_STEPS {
        let transition = step(config, desired, phase, &input)?;
        phase = transition.to;
        let next = transition.next;
        transitions.push(transition);
        if next != Next::Continue {
            break;
        }
        let Some(awaited) = phase.awaits() else {
            break;
        };
        input = gather(awaited, transitions.last().expect("just pushed"));
    }
    Ok(transitions)
}
