// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The phases a Tenant moves through, and what each one waits for.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

/// The lifecycle phase of a Tenant, as shown in `status.phase`. (Variant notes are plain
/// comments so the JSON schema stays a plain string enum, as CRD schemas need.)
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
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
pub enum Phase {
    // The spec is being checked (pure, no API calls).
    #[default]
    Validating,
    // The referenced credentials Secret is being checked, or awaited.
    CredentialsCheck,
    // RBAC, Services and StatefulSets are being applied.
    Provisioning,
    // Resources are applied; pods are starting or being updated.
    RollingOut,
    // Every pool has all its pods ready at the desired revision.
    Ready,
    // The Tenant was serving (or rolling out) and is not fully ready: pods were lost, or a
    // rollout stopped making progress.
    Degraded,
    // A step failed in a way only a user can fix; `status.reason` says which.
    Failed,
}

/// The fact the shell must gather next, when a transition says [`crate::Next::Continue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter)]
pub enum Await {
    /// Run the spec checks and feed [`crate::Input::SpecChecked`].
    SpecCheck,
    /// Check the credentials Secret and feed [`crate::Input::CredentialsChecked`].
    CredentialsCheck,
    /// Run the transition's apply effects and feed [`crate::Input::Applied`] (or
    /// [`crate::Input::TransientError`]).
    ApplyOutcome,
    /// Observe the StatefulSets and feed [`crate::Input::Observed`].
    Rollout,
}

impl Phase {
    /// What the shell gathers next in this phase. `None` for [`Phase::Failed`]: a failed
    /// Tenant waits for the next reconcile, which starts with [`crate::begin`].
    pub const fn awaits(self) -> Option<Await> {
        match self {
            Phase::Validating => Some(Await::SpecCheck),
            Phase::CredentialsCheck => Some(Await::CredentialsCheck),
            Phase::Provisioning => Some(Await::ApplyOutcome),
            Phase::RollingOut | Phase::Ready | Phase::Degraded => Some(Await::Rollout),
            Phase::Failed => None,
        }
    }

    /// Phases in which the operator itself has work under way (the `Progressing` condition
    /// can only be `True` here).
    pub const fn is_working(self) -> bool {
        matches!(
            self,
            Phase::Validating | Phase::CredentialsCheck | Phase::Provisioning | Phase::RollingOut
        )
    }

    /// The step this phase runs; the one named when the phase ends in [`Phase::Failed`].
    pub const fn step(self) -> Option<Step> {
        match self {
            Phase::Validating => Some(Step::Validation),
            Phase::CredentialsCheck => Some(Step::CredentialsCheck),
            Phase::Provisioning => Some(Step::Apply),
            _ => None,
        }
    }
}

/// A step of the pipeline that can fail; [`crate::Transition::failed_step`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter, AsRefStr)]
pub enum Step {
    /// Checking the spec (condition `SpecValid`).
    #[strum(serialize = "spec validation")]
    Validation,
    /// Checking the credentials Secret (condition `CredentialsValid`).
    #[strum(serialize = "credentials check")]
    CredentialsCheck,
    /// Applying RBAC, Services and StatefulSets (condition `ResourcesApplied`).
    #[strum(serialize = "apply")]
    Apply,
}

impl Step {
    /// The step condition that records this step's outcome.
    pub const fn condition(self) -> crate::ConditionType {
        match self {
            Step::Validation => crate::ConditionType::SpecValid,
            Step::CredentialsCheck => crate::ConditionType::CredentialsValid,
            Step::Apply => crate::ConditionType::ResourcesApplied,
        }
    }
}
