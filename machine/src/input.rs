// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Typed facts the shell observes and feeds to the machine, and their classification.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, IntoStaticStr};

use crate::{ErrorClass, Timestamp};

/// Tunables of the machine, passed to every [`crate::step`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// A rollout with no progress for this long is [`Fact::RolloutStalled`].
    pub rollout_stall_after: Duration,
}

impl Default for Config {
    fn default() -> Self {
        // The same default as a Deployment's progressDeadlineSeconds.
        Config {
            rollout_stall_after: Duration::from_secs(600),
        }
    }
}

/// What the current spec asks for, as far as the machine needs to know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    pub pools: Vec<DesiredPool>,
    /// Pools whose decommission completed: each apply removes their StatefulSet.
    pub retired: Vec<String>,
}

/// One pool of the spec: its name and `servers` (the StatefulSet's replicas).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredPool {
    pub name: String,
    pub servers: u32,
}

impl Desired {
    /// Builds a [`Desired`] from `(name, servers)` pairs.
    pub fn new<N: Into<String>>(pools: impl IntoIterator<Item = (N, u32)>) -> Self {
        Desired {
            pools: pools
                .into_iter()
                .map(|(name, servers)| DesiredPool {
                    name: name.into(),
                    servers,
                })
                .collect(),
            retired: Vec::new(),
        }
    }

    /// The same, with pools that left the cluster after a decommission.
    pub fn with_retired<N: Into<String>>(mut self, retired: impl IntoIterator<Item = N>) -> Self {
        self.retired = retired.into_iter().map(Into::into).collect();
        self
    }
}

/// One problem found in the spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SpecProblem {
    /// JSON path of the offending field, e.g. `spec.pools[0].servers`.
    pub field: String,
    pub message: String,
}

/// Outcome of checking the credentials. Never carries secret values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Credentials {
    /// The referenced Secret exists and its keys are usable.
    Ok { secret: String },
    /// No Secret is referenced: RustFS takes credentials from `spec.env` or its defaults.
    NotConfigured,
    /// A referenced Secret does not exist (yet); `fix` says how to provide it.
    Missing { secret: String, fix: String },
    /// The Secret exists but a key is absent or unusable; `problem` describes it without
    /// the value (e.g. "shorter than 8 characters").
    Invalid {
        secret: String,
        key: String,
        problem: String,
    },
}

/// A change the operator refuses to apply because the API would reject it or data would be
/// lost (selector, serviceName, volume count, PVC shrink, pool removal, scale-down).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefusedChange {
    pub pool: String,
    /// The spec field, e.g. `servers`.
    pub field: String,
    /// What would change and why it is refused, e.g. "4 -> 2: scale-down loses data".
    pub detail: String,
}

/// Outcome of running a transition's apply effects.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Applied {
    /// Everything applied.
    Ok,
    /// Nothing applied: the diff against what exists contains refused changes.
    Refused { changes: Vec<RefusedChange> },
    /// The API server refused an object for a reason retrying cannot fix (a 4xx other than
    /// conflict and throttling, e.g. 403 or 422).
    Rejected { message: String },
}

/// Observed state of one pool's StatefulSet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PoolRollout {
    pub name: String,
    /// `spec.replicas` of the StatefulSet as observed.
    pub desired: u32,
    /// `status.readyReplicas`.
    pub ready: u32,
    /// `status.updatedReplicas`.
    pub updated: u32,
    /// The StatefulSet controller has seen the spec this operator last applied
    /// (`status.observedGeneration` reached the generation the apply returned).
    pub observed: bool,
    pub current_revision: String,
    pub update_revision: String,
    /// Volumes (PVCs) of the pool still growing to the size the spec raised them to.
    #[serde(default)]
    pub resizing: u32,
    /// Of those, the ones waiting for the kubelet to grow their filesystem
    /// (`FileSystemResizePending`).
    #[serde(default)]
    pub filesystem_pending: u32,
}

/// Summary state of one pool, for `status.pools[].state`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter, AsRefStr, Serialize, Deserialize,
)]
pub enum PoolState {
    /// All pods ready at the update revision.
    Ready,
    /// Pods are being created or replaced at a new revision.
    Updating,
    /// Pods are at the right revision but not all are ready.
    NotReady,
}

impl PoolRollout {
    /// A pool whose rollout has completed: handy for tests and examples.
    pub fn settled(name: impl Into<String>, replicas: u32, revision: impl Into<String>) -> Self {
        let revision = revision.into();
        PoolRollout {
            name: name.into(),
            desired: replicas,
            ready: replicas,
            updated: replicas,
            observed: true,
            current_revision: revision.clone(),
            update_revision: revision,
            resizing: 0,
            filesystem_pending: 0,
        }
    }

    /// All pods ready, all at the update revision, as the controller saw the latest spec.
    pub fn is_complete(&self) -> bool {
        self.observed
            && self.ready == self.desired
            && self.updated == self.desired
            && self.current_revision == self.update_revision
    }

    pub fn state(&self) -> PoolState {
        if self.is_complete() {
            PoolState::Ready
        } else if !self.observed
            || self.updated < self.desired
            || self.current_revision != self.update_revision
        {
            PoolState::Updating
        } else {
            PoolState::NotReady
        }
    }
}

/// What the shell observed of the StatefulSets, with the times needed to judge a stall,
/// and what RustFS itself last said about its drives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rollout {
    pub pools: Vec<PoolRollout>,
    pub now: Timestamp,
    /// When the rollout last made progress; compute it with [`last_progress`] and keep it in
    /// the status.
    pub last_progress: Timestamp,
    /// The storage health RustFS reported, when the shell has a report newer than the last
    /// rollout progress (an older one describes pods that have since been replaced).
    pub storage: Storage,
    /// A pool decommission the spec asks for or RustFS runs.
    pub decommission: Decommission,
}

/// Where a pool decommission stands, from the spec (`decommission: true|false`) and
/// RustFS's pool status. `detail` is for the message (objects and bytes moved).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Decommission {
    /// None asked for, none running (or RustFS could not be asked).
    #[default]
    None,
    /// The spec asks for it; RustFS has not started it.
    Requested { pool: String },
    /// RustFS is moving the pool's objects.
    Running { pool: String, detail: String },
    /// RustFS moved every object; the pool can leave the cluster.
    Complete { pool: String, detail: String },
    /// RustFS gave up.
    Failed { pool: String, detail: String },
    /// The spec no longer asks for it, but RustFS is running it.
    CancelRequested { pool: String },
}

/// The drives' health as RustFS's admin API reports it, reduced to what the machine
/// decides on. `detail` names the pools and drives, for the status message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Storage {
    /// No fresh report (not polled yet, unreachable, or older than the last rollout
    /// progress): the pods' readiness alone decides.
    #[default]
    Unknown,
    /// Every drive online.
    Healthy,
    /// Some drives offline; every erasure set still has read and write quorum.
    DrivesOffline { detail: String },
    /// An erasure set has lost read or write quorum: objects in it cannot be read or
    /// written until drives come back.
    QuorumLost { detail: String },
}

impl Storage {
    /// The report's words on what is wrong, if anything is.
    pub fn problem(&self) -> Option<&str> {
        match self {
            Storage::DrivesOffline { detail } | Storage::QuorumLost { detail } => Some(detail),
            Storage::Unknown | Storage::Healthy => None,
        }
    }
}

/// When a rollout last made progress, from the previous observation (kept in the status)
/// and the current one.
///
/// Progress is: the first observation, a new episode (the previous observation was
/// complete), a changed pool set, a changed `desired` or update revision, or more ready or
/// updated pods in any pool. Pods lost are not progress. An unchanged observation keeps the
/// previous mark, so an idle resync computes the same value (and writes nothing).
pub fn last_progress(
    previous: &[PoolRollout],
    previous_mark: Option<Timestamp>,
    current: &[PoolRollout],
    now: Timestamp,
) -> Timestamp {
    let Some(mark) = previous_mark else {
        return now;
    };
    if previous == current {
        return mark;
    }
    let was_complete = !previous.is_empty() && previous.iter().all(PoolRollout::is_complete);
    let reshaped = previous.len() != current.len()
        || previous.iter().zip(current).any(|(p, c)| {
            p.name != c.name || p.desired != c.desired || p.update_revision != c.update_revision
        });
    let advanced = previous
        .iter()
        .zip(current)
        .any(|(p, c)| c.ready > p.ready || c.updated > p.updated || c.resizing < p.resizing);
    if was_complete || reshaped || advanced {
        now
    } else {
        mark
    }
}

/// A fact the shell feeds to [`crate::step`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    /// First input of a reconcile when `metadata.generation` differs from
    /// `status.observedGeneration` (or the Tenant is new).
    GenerationChanged,
    /// First input of a reconcile when the generation is unchanged. `drifted` names owned
    /// objects the shell found missing or different from what it would apply.
    Resumed { drifted: Vec<String> },
    /// Outcome of the spec checks.
    SpecChecked(Result<(), Vec<SpecProblem>>),
    /// Outcome of the credentials check.
    CredentialsChecked(Credentials),
    /// Outcome of the apply effects.
    Applied(Applied),
    /// An API call failed in a way worth retrying (5xx, 429, 409, timeouts, connection).
    TransientError { message: String },
    /// The StatefulSets as observed.
    Observed(Rollout),
}

/// The variant of an [`Input`], without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter, AsRefStr, IntoStaticStr)]
pub enum InputKind {
    GenerationChanged,
    Resumed,
    SpecChecked,
    CredentialsChecked,
    Applied,
    TransientError,
    Observed,
}

/// An input classified for the transition table: the input kind plus the guard that holds.
/// The table has one row per (phase, fact).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Display,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
pub enum Fact {
    GenerationChanged,
    Resumed,
    Drifted,
    SpecValid,
    SpecInvalid,
    CredentialsOk,
    CredentialsNotConfigured,
    CredentialsMissing,
    CredentialsInvalid,
    Applied,
    ChangeRefused,
    ApplyRejected,
    TransientError,
    RolloutComplete,
    VolumesResizing,
    RolloutProgressing,
    RolloutStalled,
    DrivesOffline,
    QuorumLost,
    DecommissionRequested,
    DecommissionRunning,
    DecommissionComplete,
    DecommissionFailed,
    DecommissionCancelRequested,
}

impl Fact {
    /// The input variant this fact comes from.
    pub const fn input_kind(self) -> InputKind {
        match self {
            Fact::GenerationChanged => InputKind::GenerationChanged,
            Fact::Resumed | Fact::Drifted => InputKind::Resumed,
            Fact::SpecValid | Fact::SpecInvalid => InputKind::SpecChecked,
            Fact::CredentialsOk
            | Fact::CredentialsNotConfigured
            | Fact::CredentialsMissing
            | Fact::CredentialsInvalid => InputKind::CredentialsChecked,
            Fact::Applied | Fact::ChangeRefused | Fact::ApplyRejected => InputKind::Applied,
            Fact::TransientError => InputKind::TransientError,
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
            | Fact::DecommissionCancelRequested => InputKind::Observed,
        }
    }

    /// The guard that selects this fact among the facts of its input kind, in words.
    pub const fn guard(self) -> &'static str {
        match self {
            Fact::GenerationChanged => "metadata.generation != status.observedGeneration",
            Fact::Resumed => "generation unchanged, owned objects as applied",
            Fact::Drifted => "generation unchanged, owned objects missing or changed",
            Fact::SpecValid => "no spec problems",
            Fact::SpecInvalid => "one or more spec problems",
            Fact::CredentialsOk => "referenced Secret has usable accesskey and secretkey",
            Fact::CredentialsNotConfigured => "no Secret referenced",
            Fact::CredentialsMissing => "referenced Secret not found",
            Fact::CredentialsInvalid => "a key of the Secret is absent or unusable",
            Fact::Applied => "every object applied",
            Fact::ChangeRefused => "a change would be rejected or lose data; nothing applied",
            Fact::ApplyRejected => "the API server refused an object (non-retryable)",
            Fact::TransientError => "an API call failed and may succeed on retry",
            Fact::RolloutComplete => {
                "every pool: all pods ready at the update revision; no drive reported offline; no volume growing"
            }
            Fact::VolumesResizing => {
                "all pods ready at the update revision, volumes still growing, progress within rollout_stall_after"
            }
            Fact::RolloutProgressing => "not complete, progress within rollout_stall_after",
            Fact::RolloutStalled => "not complete, no progress for rollout_stall_after",
            Fact::DrivesOffline => "every pod ready, but RustFS reports drives offline",
            Fact::QuorumLost => "RustFS reports an erasure set below read or write quorum",
            Fact::DecommissionRequested => {
                "rollout complete, drives healthy; a pool marked decommission, not started"
            }
            Fact::DecommissionRunning => "rollout complete; RustFS is draining a pool",
            Fact::DecommissionComplete => "RustFS drained the pool: it can leave the cluster",
            Fact::DecommissionFailed => "RustFS reports the pool's decommission failed",
            Fact::DecommissionCancelRequested => {
                "the spec stopped asking for a decommission RustFS is running"
            }
        }
    }

    /// The error class of a fact that reports an error; `None` for the others.
    pub const fn error_class(self) -> Option<ErrorClass> {
        match self {
            Fact::SpecInvalid | Fact::ChangeRefused | Fact::ApplyRejected => {
                Some(ErrorClass::Validation)
            }
            Fact::CredentialsMissing | Fact::CredentialsInvalid => Some(ErrorClass::Credentials),
            Fact::TransientError => Some(ErrorClass::Transient),
            _ => None,
        }
    }
}

impl Input {
    pub fn kind(&self) -> InputKind {
        match self {
            Input::GenerationChanged => InputKind::GenerationChanged,
            Input::Resumed { .. } => InputKind::Resumed,
            Input::SpecChecked(_) => InputKind::SpecChecked,
            Input::CredentialsChecked(_) => InputKind::CredentialsChecked,
            Input::Applied(_) => InputKind::Applied,
            Input::TransientError { .. } => InputKind::TransientError,
            Input::Observed(_) => InputKind::Observed,
        }
    }

    /// Classifies the input: which row of the table applies.
    pub fn fact(&self, config: &Config, desired: &Desired) -> Fact {
        match self {
            Input::GenerationChanged => Fact::GenerationChanged,
            Input::Resumed { drifted } if drifted.is_empty() => Fact::Resumed,
            Input::Resumed { .. } => Fact::Drifted,
            Input::SpecChecked(Ok(())) => Fact::SpecValid,
            // An empty problem list is still a failed check: the shell said it failed.
            Input::SpecChecked(Err(_)) => Fact::SpecInvalid,
            Input::CredentialsChecked(Credentials::Ok { .. }) => Fact::CredentialsOk,
            Input::CredentialsChecked(Credentials::NotConfigured) => Fact::CredentialsNotConfigured,
            Input::CredentialsChecked(Credentials::Missing { .. }) => Fact::CredentialsMissing,
            Input::CredentialsChecked(Credentials::Invalid { .. }) => Fact::CredentialsInvalid,
            Input::Applied(Applied::Ok) => Fact::Applied,
            Input::Applied(Applied::Refused { .. }) => Fact::ChangeRefused,
            Input::Applied(Applied::Rejected { .. }) => Fact::ApplyRejected,
            Input::TransientError { .. } => Fact::TransientError,
            Input::Observed(rollout) => {
                let stalled =
                    rollout.now.since(rollout.last_progress) >= config.rollout_stall_after;
                // Lost quorum outranks everything the pods say: data is unavailable now.
                if matches!(rollout.storage, Storage::QuorumLost { .. }) {
                    Fact::QuorumLost
                } else if rollout.is_complete(desired) {
                    match (&rollout.storage, &rollout.decommission) {
                        (Storage::DrivesOffline { .. }, _) => Fact::DrivesOffline,
                        // Growing volumes: progress while claims grow, a stall when they stop.
                        (_, Decommission::None) if rollout.resizing() && stalled => {
                            Fact::RolloutStalled
                        }
                        (_, Decommission::None) if rollout.resizing() => Fact::VolumesResizing,
                        (_, Decommission::None) => Fact::RolloutComplete,
                        (_, Decommission::Requested { .. }) => Fact::DecommissionRequested,
                        (_, Decommission::Running { .. }) => Fact::DecommissionRunning,
                        (_, Decommission::Complete { .. }) => Fact::DecommissionComplete,
                        (_, Decommission::Failed { .. }) => Fact::DecommissionFailed,
                        (_, Decommission::CancelRequested { .. }) => {
                            Fact::DecommissionCancelRequested
                        }
                    }
                } else if stalled {
                    Fact::RolloutStalled
                } else {
                    Fact::RolloutProgressing
                }
            }
        }
    }
}

impl Rollout {
    /// Every desired pool is observed at its desired size and complete.
    pub fn is_complete(&self, desired: &Desired) -> bool {
        desired.pools.iter().all(|want| {
            self.pools
                .iter()
                .find(|p| p.name == want.name)
                .is_some_and(|p| p.desired == want.servers && p.is_complete())
        })
    }

    /// Some volume of some pool is still growing.
    pub fn resizing(&self) -> bool {
        self.pools.iter().any(|p| p.resizing > 0)
    }

    /// One line per desired pool, e.g. `pool-0 3/4 ready, 4/4 updated`.
    pub(crate) fn summary(&self, desired: &Desired) -> String {
        let parts: Vec<String> = desired
            .pools
            .iter()
            .map(
                |want| match self.pools.iter().find(|p| p.name == want.name) {
                    None => format!("{} StatefulSet not observed", want.name),
                    Some(p) if p.desired != want.servers || !p.observed => format!(
                        "{} waiting for the StatefulSet controller ({} of {} replicas observed)",
                        want.name, p.desired, want.servers
                    ),
                    Some(p) => {
                        let mut line = format!(
                            "{} {}/{} ready, {}/{} updated",
                            want.name, p.ready, want.servers, p.updated, want.servers
                        );
                        if p.resizing > 0 {
                            line.push_str(&format!(", PVC resizing: {} volume(s)", p.resizing));
                        }
                        if p.filesystem_pending > 0 {
                            line.push_str(&format!(
                                " ({} waiting for the kubelet to grow the filesystem; a CSI driver without online expansion needs the pod restarted)",
                                p.filesystem_pending
                            ));
                        }
                        line
                    }
                },
            )
            .collect();
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(ready: u32, updated: u32) -> PoolRollout {
        PoolRollout {
            ready,
            updated,
            ..PoolRollout::settled("p", 4, "r1")
        }
    }

    fn observed(pools: Vec<PoolRollout>, now: u64, last: u64) -> Input {
        Input::Observed(Rollout {
            pools,
            now: Timestamp(now),
            last_progress: Timestamp(last),
            storage: Storage::Unknown,
            decommission: Decommission::None,
        })
    }

    #[test]
    fn rollout_classification_uses_desired_and_the_stall_window() {
        let config = Config {
            rollout_stall_after: Duration::from_secs(100),
        };
        let desired = Desired::new([("p", 4)]);
        let fact = |i: &Input| i.fact(&config, &desired);
        assert_eq!(
            fact(&observed(vec![pool(4, 4)], 0, 0)),
            Fact::RolloutComplete
        );
        assert_eq!(
            fact(&observed(vec![pool(3, 4)], 99, 0)),
            Fact::RolloutProgressing
        );
        assert_eq!(
            fact(&observed(vec![pool(3, 4)], 100, 0)),
            Fact::RolloutStalled
        );
        // A stale StatefulSet of the old size is not complete.
        let stale = Desired::new([("p", 5)]);
        assert!(
            !matches!(&observed(vec![pool(4, 4)], 0, 0), Input::Observed(r) if r.is_complete(&stale))
        );
        // A missing pool is not complete.
        let two = Desired::new([("p", 4), ("q", 1)]);
        assert!(
            !matches!(&observed(vec![pool(4, 4)], 0, 0), Input::Observed(r) if r.is_complete(&two))
        );
        // Controller has not observed the spec yet.
        let unobserved = PoolRollout {
            observed: false,
            ..pool(4, 4)
        };
        assert_eq!(
            fact(&observed(vec![unobserved], 0, 0)),
            Fact::RolloutProgressing
        );
    }

    #[test]
    fn storage_reports_refine_the_rollout_facts() {
        let config = Config::default();
        let desired = Desired::new([("p", 4)]);
        let with = |pools: Vec<PoolRollout>, storage: Storage| {
            Input::Observed(Rollout {
                pools,
                now: Timestamp(0),
                last_progress: Timestamp(0),
                storage,
                decommission: Decommission::None,
            })
            .fact(&config, &desired)
        };
        let offline = Storage::DrivesOffline {
            detail: "p: 1 of 8 drives offline".into(),
        };
        let lost = Storage::QuorumLost {
            detail: "p set 0: 4 of 8 drives online".into(),
        };
        assert_eq!(
            with(vec![pool(4, 4)], Storage::Healthy),
            Fact::RolloutComplete
        );
        assert_eq!(
            with(vec![pool(4, 4)], Storage::Unknown),
            Fact::RolloutComplete
        );
        assert_eq!(with(vec![pool(4, 4)], offline.clone()), Fact::DrivesOffline);
        // Pods not ready: the rollout decides; the drives only add to the message.
        assert_eq!(with(vec![pool(3, 4)], offline), Fact::RolloutProgressing);
        // Lost quorum is reported whatever the pods say.
        assert_eq!(with(vec![pool(4, 4)], lost.clone()), Fact::QuorumLost);
        assert_eq!(with(vec![pool(2, 4)], lost), Fact::QuorumLost);
    }

    #[test]
    fn pool_states() {
        assert_eq!(pool(4, 4).state(), PoolState::Ready);
        assert_eq!(pool(4, 2).state(), PoolState::Updating);
        assert_eq!(pool(3, 4).state(), PoolState::NotReady);
        let mid_update = PoolRollout {
            update_revision: "r2".into(),
            ..pool(4, 4)
        };
        assert_eq!(mid_update.state(), PoolState::Updating);
    }

    #[test]
    fn last_progress_rules() {
        let now = Timestamp(500);
        let mark = Some(Timestamp(100));
        // First observation.
        assert_eq!(last_progress(&[], None, &[pool(0, 0)], now), now);
        // Unchanged: mark kept (idle resync writes nothing).
        assert_eq!(
            last_progress(&[pool(2, 4)], mark, &[pool(2, 4)], now),
            Timestamp(100)
        );
        // More ready pods: progress.
        assert_eq!(last_progress(&[pool(2, 4)], mark, &[pool(3, 4)], now), now);
        // Pods lost mid-rollout: not progress.
        assert_eq!(
            last_progress(&[pool(3, 4)], mark, &[pool(2, 4)], now),
            Timestamp(100)
        );
        // Pods lost after completion: a new episode starts now.
        assert_eq!(last_progress(&[pool(4, 4)], mark, &[pool(3, 4)], now), now);
        // New revision: progress.
        let next_rev = PoolRollout {
            update_revision: "r2".into(),
            ..pool(2, 0)
        };
        assert_eq!(last_progress(&[pool(2, 4)], mark, &[next_rev], now), now);
        // Pool set changed.
        assert_eq!(
            last_progress(&[pool(2, 4)], mark, &[pool(2, 4), pool(0, 0)], now),
            now
        );
    }
}
