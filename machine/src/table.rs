// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! THE transition table: the single source of truth for [`crate::step`], the diagrams and
//! the property tests.

use crate::{EventKind, Fact, Next, Phase, Reason, Requeue};

/// Where an edge leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// To this phase.
    Phase(Phase),
    /// Stay in the phase the edge starts from.
    Stay,
}

impl Target {
    /// The phase reached from `from`.
    pub const fn resolve(self, from: Phase) -> Phase {
        match self {
            Target::Phase(to) => to,
            Target::Stay => from,
        }
    }
}

/// One row of the table: from any phase of `from`, on `on`, go to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: &'static [Phase],
    /// The classified input (input kind + guard, see [`Fact::guard`]).
    pub on: Fact,
    pub to: Target,
    /// Continue within this reconcile, or wait (and with which requeue).
    pub next: Next,
    /// CamelCase reason for the status, the conditions and any event.
    pub reason: Reason,
    /// Emit the apply effects: RBAC, Services, one StatefulSet per pool.
    pub apply: bool,
    /// Emit an event with the edge's reason.
    pub event: Option<EventKind>,
}

use Phase::*;

/// Every phase.
pub const ALL: &[Phase] = &[
    Validating,
    CredentialsCheck,
    Provisioning,
    RollingOut,
    Ready,
    Degraded,
    Failed,
];
const NOT_FAILED: &[Phase] = &[
    Validating,
    CredentialsCheck,
    Provisioning,
    RollingOut,
    Ready,
    Degraded,
];
const WAIT_CREDENTIALS: Next = Next::Wait(Requeue::Credentials);
const WAIT_VALIDATION: Next = Next::Wait(Requeue::Validation);
const WAIT_TRANSIENT: Next = Next::Wait(Requeue::Transient);
const WAIT_ROLLOUT: Next = Next::Wait(Requeue::Rollout);
const WAIT_RESYNC: Next = Next::Wait(Requeue::Resync);

const fn edge(from: &'static [Phase], on: Fact, to: Target, next: Next, reason: Reason) -> Edge {
    Edge {
        from,
        on,
        to,
        next,
        reason,
        apply: false,
        event: None,
    }
}

impl Edge {
    const fn applying(mut self) -> Edge {
        self.apply = true;
        self
    }
    const fn event(mut self, kind: EventKind) -> Edge {
        self.event = Some(kind);
        self
    }
}

use EventKind::{Normal, Warning};
use Target::{Phase as To, Stay};

/// The transition table. Exactly one row matches each (phase, fact) pair the machine
/// accepts; a pair with no row is [`crate::Unexpected`].
#[rustfmt::skip]
pub const TABLE: &[Edge] = &[
    //   from                                                          on                              to                    next              reason
    // Start of a reconcile.
    edge(ALL,                                                          Fact::GenerationChanged,        To(Validating),       Next::Continue,   Reason::GenerationChanged),
    edge(&[Validating, CredentialsCheck, RollingOut, Ready, Degraded], Fact::Resumed,                  Stay,                 Next::Continue,   Reason::Resumed),
    edge(&[Provisioning],                                              Fact::Resumed,                  Stay,                 Next::Continue,   Reason::Resumed).applying(),
    edge(&[Failed],                                                    Fact::Resumed,                  To(Validating),       Next::Continue,   Reason::Retrying),
    // Drift before the apply step needs nothing special: the apply will fix it.
    edge(&[Validating, CredentialsCheck],                              Fact::Drifted,                  Stay,                 Next::Continue,   Reason::Resumed),
    edge(&[Provisioning, RollingOut, Ready, Degraded],                 Fact::Drifted,                  To(Provisioning),     Next::Continue,   Reason::ResourcesDrifted).applying().event(Normal),
    edge(&[Failed],                                                    Fact::Drifted,                  To(Validating),       Next::Continue,   Reason::Retrying),
    // A failed API call never changes the phase the user sees.
    edge(NOT_FAILED,                                                   Fact::TransientError,           Stay,                 WAIT_TRANSIENT,   Reason::TransientError),
    // Validating.
    edge(&[Validating],                                                Fact::SpecValid,                To(CredentialsCheck), Next::Continue,   Reason::SpecValid),
    edge(&[Validating],                                                Fact::SpecInvalid,              To(Failed),           WAIT_VALIDATION,  Reason::SpecInvalid).event(Warning),
    // CredentialsCheck.
    edge(&[CredentialsCheck],                                          Fact::CredentialsOk,            To(Provisioning),     Next::Continue,   Reason::CredentialsValid).applying(),
    edge(&[CredentialsCheck],                                          Fact::CredentialsNotConfigured, To(Provisioning),     Next::Continue,   Reason::NoCredentialsSecret).applying(),
    // Waiting for a Secret that may be created any moment: not a failure yet.
    edge(&[CredentialsCheck],                                          Fact::CredentialsMissing,       Stay,                 WAIT_CREDENTIALS, Reason::CredentialsSecretMissing).event(Warning),
    edge(&[CredentialsCheck],                                          Fact::CredentialsInvalid,       To(Failed),           WAIT_CREDENTIALS, Reason::CredentialsInvalid).event(Warning),
    // Provisioning.
    edge(&[Provisioning],                                              Fact::Applied,                  To(RollingOut),       Next::Continue,   Reason::ResourcesApplied).event(Normal),
    edge(&[Provisioning],                                              Fact::ChangeRefused,            To(Failed),           WAIT_VALIDATION,  Reason::ChangeRefused).event(Warning),
    edge(&[Provisioning],                                              Fact::ApplyRejected,            To(Failed),           WAIT_VALIDATION,  Reason::ApplyRejected).event(Warning),
    // RollingOut.
    edge(&[RollingOut],                                                Fact::RolloutComplete,          To(Ready),            WAIT_RESYNC,      Reason::AllPoolsReady).event(Normal),
    edge(&[RollingOut],                                                Fact::RolloutProgressing,       Stay,                 WAIT_ROLLOUT,     Reason::RolloutInProgress),
    // Volume growth: pods keep running while the PVCs grow; Ready once they have.
    edge(&[RollingOut],                                                Fact::VolumesResizing,          Stay,                 WAIT_ROLLOUT,     Reason::VolumesResizing),
    edge(&[Ready, Degraded],                                           Fact::VolumesResizing,          To(RollingOut),       WAIT_ROLLOUT,     Reason::VolumesResizing).event(Normal),
    edge(&[RollingOut],                                                Fact::RolloutStalled,           To(Degraded),         WAIT_ROLLOUT,     Reason::RolloutStalled).event(Warning),
    // Ready.
    edge(&[Ready],                                                     Fact::RolloutComplete,          Stay,                 WAIT_RESYNC,      Reason::AllPoolsReady),
    edge(&[Ready],                                                     Fact::RolloutProgressing,       To(Degraded),         WAIT_ROLLOUT,     Reason::ReadinessLost).event(Warning),
    edge(&[Ready],                                                     Fact::RolloutStalled,           To(Degraded),         WAIT_ROLLOUT,     Reason::ReadinessLost).event(Warning),
    // Degraded.
    edge(&[Degraded],                                                  Fact::RolloutComplete,          To(Ready),            WAIT_RESYNC,      Reason::Recovered).event(Normal),
    edge(&[Degraded],                                                  Fact::RolloutProgressing,       Stay,                 WAIT_ROLLOUT,     Reason::PodsNotReady),
    edge(&[Degraded],                                                  Fact::RolloutStalled,           Stay,                 WAIT_ROLLOUT,     Reason::RolloutStalled),
    // Storage, as RustFS's admin API reports it (polled while Ready or Degraded).
    edge(&[RollingOut, Ready],                                         Fact::DrivesOffline,            To(Degraded),         WAIT_ROLLOUT,     Reason::DrivesOffline).event(Warning),
    edge(&[Degraded],                                                  Fact::DrivesOffline,            Stay,                 WAIT_ROLLOUT,     Reason::DrivesOffline),
    edge(&[RollingOut, Ready],                                         Fact::QuorumLost,               To(Degraded),         WAIT_ROLLOUT,     Reason::QuorumLost).event(Warning),
    edge(&[Degraded],                                                  Fact::QuorumLost,               Stay,                 WAIT_ROLLOUT,     Reason::QuorumLost).event(Warning),
    // Pool decommission (spec.pools[].decommission), judged only once every pod is ready and
    // no drive is offline. The Tenant serves throughout, so it is Ready; completion records
    // the pool as retired and the next reconcile applies without it (drift).
    edge(&[RollingOut, Ready, Degraded],                               Fact::DecommissionRequested,    To(Ready),            WAIT_ROLLOUT,     Reason::DecommissionStarted).event(Normal),
    edge(&[RollingOut, Ready, Degraded],                               Fact::DecommissionRunning,      To(Ready),            WAIT_ROLLOUT,     Reason::Decommissioning),
    edge(&[RollingOut, Ready, Degraded],                               Fact::DecommissionComplete,     To(Ready),            WAIT_ROLLOUT,     Reason::PoolDecommissioned).event(Normal),
    edge(&[RollingOut, Ready, Degraded],                               Fact::DecommissionFailed,       To(Degraded),         WAIT_ROLLOUT,     Reason::DecommissionFailed).event(Warning),
    edge(&[RollingOut, Ready, Degraded],                               Fact::DecommissionCancelRequested, To(Ready),         WAIT_ROLLOUT,     Reason::DecommissionCanceled).event(Normal),
];

/// The row of [`TABLE`] for `(phase, fact)`, if the machine accepts that pair.
pub fn edge_for(phase: Phase, fact: Fact) -> Option<&'static Edge> {
    TABLE
        .iter()
        .find(|e| e.on == fact && e.from.contains(&phase))
}

/// The facts `phase` accepts, in table order.
pub fn accepted(phase: Phase) -> impl Iterator<Item = Fact> {
    TABLE
        .iter()
        .filter(move |e| e.from.contains(&phase))
        .map(|e| e.on)
}
