// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The reconcile shell: observe -> step the machine -> run its effects -> write status.
//!
//! Everything that decides is elsewhere and pure: the `machine` crate picks transitions,
//! [`crate::validate`] checks, [`crate::resources`] renders. This module only gathers the
//! facts the machine asks for ([`checks`] before applying, [`observe`] after), runs the
//! effects it returns (through [`crate::effects`], the only code that writes to the API
//! server) and writes the status once at the end.

pub mod checks;
mod dead_nodes;
mod decommission;
mod observe;
mod status;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::Utc;
use kube::api::Api;
use kube::runtime::controller::Action;
use machine::{
    Await, Desired, ErrorClass, Input, MAX_STEPS, Next, Phase, Reason, Requeue, Timestamp,
    Transition,
};
use snafu::{ResultExt, Snafu};
use tracing::{Instrument, Span, field, info, info_span, warn};

use crate::api::v1alpha1::{Tenant, TenantStatus};
use crate::context::Context;
use crate::effects::{self, StoredStatefulSets};
use crate::metrics::ReconcileResult;
use crate::resources::{self, TenantObjects};
use crate::telemetry::{current_trace_id, set_span_error};
use crate::validate;

/// Why a reconcile ended in error. Every variant knows its class, which decides the requeue.
#[derive(Debug, Snafu)]
pub enum Error {
    /// The machine stopped on an error that the status already describes.
    #[snafu(display("{reason}: {message}"))]
    Stopped {
        class: ErrorClass,
        reason: Reason,
        message: String,
    },
    /// The Tenant lacks what owned objects need (only for objects not read from the API).
    #[snafu(display("cannot render the Tenant's objects: {source}"))]
    Render { source: resources::Error },
    /// The status could not be written.
    #[snafu(display("cannot write the Tenant status: {source}"))]
    WriteStatus { source: kube::Error },
    /// The shell fed the machine something its phase does not accept: a bug.
    #[snafu(display("state machine refused an input: {source}"))]
    Machine { source: machine::Unexpected },
}

impl Error {
    /// The error class, for the requeue and the metrics.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Stopped { class, .. } => *class,
            Error::Render { .. } => ErrorClass::Validation,
            Error::WriteStatus { .. } | Error::Machine { .. } => ErrorClass::Transient,
        }
    }
}

/// Requeue by error class: credentials 60 s, validation 15 s, transient 5 s. The status was
/// written inside `reconcile`, since this function cannot do I/O.
pub fn error_policy(_tenant: Arc<Tenant>, error: &Error, _ctx: Arc<Context>) -> Action {
    Action::requeue(error.class().requeue())
}

/// One reconcile of one Tenant.
pub async fn reconcile(tenant: Arc<Tenant>, ctx: Arc<Context>) -> Result<Action, Error> {
    let span = info_span!(
        "reconcile",
        otel.name = "reconcile",
        tenant = tenant.name(),
        namespace = tenant.namespace_or_default(),
        generation = tenant.metadata.generation.unwrap_or_default(),
        trigger = field::Empty,
        phase = field::Empty,
    );
    // The log formatter prints the trace id on every line inside the span by itself.
    let trace_id = span.in_scope(current_trace_id);
    let timer = ctx.metrics.reconcile_started();
    let result = run(&tenant, &ctx, trace_id.as_deref())
        .instrument(span.clone())
        .await;
    let key = format!("{}/{}", tenant.namespace_or_default(), tenant.name());
    match &result {
        Ok(_) => timer.finish(ReconcileResult::Ok, trace_id.as_deref()),
        Err(e) => {
            set_span_error(&span, e.to_string());
            ctx.metrics
                .record_error(&e.class().to_string().to_lowercase());
            timer.finish(ReconcileResult::Error, trace_id.as_deref());
        }
    }
    if tenant.metadata.deletion_timestamp.is_some() {
        ctx.metrics.forget_tenant(&key);
    }
    result
}

/// What one reconcile did, in order.
struct Run {
    transitions: Vec<Transition>,
    /// The TLS verdict when this reconcile checked the Secrets.
    tls: Option<Result<crate::api::v1alpha1::TlsStatus, validate::secrets::SecretProblem>>,
    /// The rollout fed to the machine last, for `status.pools`.
    observed: Option<observe::Observation>,
    /// Why the reconcile stopped, which decides when the next one comes.
    requeue: Requeue,
}

/// The facts a reconcile starts from, gathered once.
struct Start<'a> {
    tenant: &'a Tenant,
    objects: TenantObjects,
    desired: Desired,
    status: TenantStatus,
    stamp: Timestamp,
}

async fn run(tenant: &Tenant, ctx: &Context, trace_id: Option<&str>) -> Result<Action, Error> {
    if tenant.metadata.deletion_timestamp.is_some() {
        // Owned objects go with the Tenant through their owner references; PVCs are never
        // owned, so the data stays until someone deletes it on purpose.
        info!("Tenant is being deleted; its PersistentVolumeClaims are kept");
        return Ok(Action::await_change());
    }
    ctx.caches_synced().await;
    let fresher = ctx.read_your_writes(tenant);
    let tenant = fresher.as_ref().unwrap_or(tenant);
    let now = Utc::now();
    let start = Start {
        tenant,
        objects: resources::desired_objects(tenant, &ctx.config.build).context(RenderSnafu)?,
        desired: desired(ctx, tenant),
        status: tenant.status.clone().unwrap_or_default(),
        stamp: Timestamp(now.timestamp().max(0) as u64),
    };
    let (phase, input) = begin(ctx, &start).await;
    let mut run = drive(ctx, &start, phase, input).await?;

    let final_phase = run.transitions.last().map_or(phase, |t| t.to);
    Span::current().record("phase", final_phase.as_ref());
    let key = format!("{}/{}", tenant.namespace_or_default(), tenant.name());
    ctx.metrics.set_tenant_phase(&key, final_phase.as_ref());

    let observed = run.observed.take().unwrap_or_else(|| {
        // Not observed in this reconcile: the volume growths stay as last seen.
        let resizes: observe::Resizes = start
            .status
            .pools
            .iter()
            .map(|p| {
                let count = |n: i32| n.max(0) as u32;
                let counts = (
                    count(p.volumes_resizing),
                    count(p.filesystem_resize_pending),
                );
                (p.name.clone(), counts)
            })
            .collect();
        observe::rollout(
            ctx,
            tenant,
            &StoredStatefulSets::default(),
            &resizes,
            &start.status,
            start.stamp,
            None,
        )
    });
    let api: Api<Tenant> = Api::namespaced(ctx.client.clone(), tenant.namespace_or_default());
    let image = start.objects.image(&ctx.config.build);
    let data_path = status::DataPath {
        tls: run.tls.take().or_else(|| ctx.tls_verdict(tenant)),
        default_credentials: validate::spec::uses_default_credentials(&tenant.spec),
    };
    let written = effects::status::write(&api, tenant, |current| {
        status::compute(
            current,
            &run.transitions,
            &observed,
            &image,
            &data_path,
            now,
            trace_id,
        )
    })
    .await
    .context(WriteStatusSnafu)?;
    match written {
        effects::status::Written::Updated(stored) => {
            tracing::debug!("status written");
            ctx.remember_write(tenant, *stored);
        }
        other => tracing::debug!(?other, "status not written"),
    }

    // Whatever the phase: pods on a dead node need the same care in every one.
    let recheck = dead_nodes::check(ctx, tenant).await;

    let last = run
        .transitions
        .last()
        .expect("a reconcile takes at least one step");
    match run.requeue.error_class() {
        Some(class) => Err(Error::Stopped {
            class,
            reason: last.reason,
            message: last.message.clone(),
        }),
        None => {
            let after = run.requeue.after();
            Ok(Action::requeue(recheck.map_or(after, |r| r.min(after))))
        }
    }
}

/// The phase and first input of this reconcile: where the status left off, and whether
/// the spec changed or owned objects drifted since.
async fn begin(ctx: &Context, start: &Start<'_>) -> (Phase, Input) {
    let status = &start.status;
    let generation_changed = status.observed_generation != start.tenant.metadata.generation;
    // Drift only means something once the objects were applied: a Tenant that failed
    // validation (or waits for its Secret) has none, and that is not drift.
    let applied_before = matches!(
        status.phase,
        Some(Phase::Provisioning | Phase::RollingOut | Phase::Ready | Phase::Degraded)
    );
    // A running Tenant whose Secret changed (or went away) since it was last judged goes
    // through the whole pipeline again, as after a spec change: the next pod start reads
    // that Secret, so the status must say now whether it is usable. Everything already in
    // place is skipped, so a Secret that is still fine costs one GET and no writes.
    let credentials_changed = applied_before && ctx.credentials_changed(start.tenant);
    let drifted = if generation_changed || !applied_before {
        Vec::new()
    } else {
        checks::drifted(ctx, &start.objects).await
    };
    Span::current().record(
        "trigger",
        match (
            status.phase,
            generation_changed,
            credentials_changed,
            drifted.is_empty(),
        ) {
            (None, ..) => "created",
            (_, true, ..) => "generation",
            (_, _, true, _) => "credentials",
            (_, _, _, false) => "drift",
            _ => "resync",
        },
    );
    machine::begin(
        status.phase,
        generation_changed || credentials_changed,
        drifted,
    )
}

/// Steps the machine until it waits: each transition in its own span, its effects run
/// inside it, then the fact the new phase awaits is gathered and fed back.
async fn drive(
    ctx: &Context,
    start: &Start<'_>,
    mut phase: Phase,
    mut input: Input,
) -> Result<Run, Error> {
    let mut run = Run {
        transitions: Vec::new(),
        tls: None,
        observed: None,
        requeue: Requeue::Resync,
    };
    let mut stored = StoredStatefulSets::default();
    loop {
        if run.transitions.len() >= MAX_STEPS {
            // The table proves this cannot happen; stop safely rather than spin.
            warn!("state machine took {MAX_STEPS} steps without waiting; stopping this reconcile");
            run.requeue = Requeue::Transient;
            return Ok(run);
        }
        let t = machine::step(&ctx.config.machine, &start.desired, phase, &input)
            .context(MachineSnafu)?;
        let span = transition_span(&t);
        let outcome = async {
            let plan = plan(ctx, start, &t.effects).await;
            effects::run(
                ctx,
                start.tenant,
                &start.objects,
                &t.effects,
                plan,
                &mut stored,
            )
            .await
        }
        .instrument(span.clone())
        .await;
        ctx.metrics
            .record_transition(t.from.as_ref(), t.to.as_ref());
        if t.from != t.to {
            span.in_scope(
                || info!(from = %t.from, to = %t.to, reason = %t.reason, "{}", t.message),
            );
        }
        phase = t.to;
        let next = t.next;
        // A request RustFS refused (a decommission it will not start, say) is a transient
        // error: the status names RustFS's answer and the request is retried in 5 s.
        let refused_by_rustfs = match &outcome {
            effects::ApplyOutcome::Transient(message) if effects::asks_rustfs(&t.effects) => {
                Some(message.clone())
            }
            _ => None,
        };
        run.transitions.push(t);
        if let Some(message) = refused_by_rustfs {
            input = Input::TransientError { message };
            continue;
        }
        if let Next::Wait(requeue) = next {
            run.requeue = requeue;
            return Ok(run);
        }
        input = match phase.awaits() {
            Some(Await::SpecCheck) => spec_checked(start.tenant),
            Some(Await::CredentialsCheck) => {
                secrets_checked(ctx, start, &mut run).instrument(span).await
            }
            Some(Await::ApplyOutcome) => outcome.into(),
            Some(Await::Rollout) => {
                let draining = match decommission::observe(ctx, start.tenant)
                    .instrument(span.clone())
                    .await
                {
                    Ok(d) => d,
                    Err(message) => {
                        input = Input::TransientError { message };
                        continue;
                    }
                };
                let growing: std::collections::BTreeSet<&str> = stored
                    .grown()
                    .chain(observe::pools_still_resizing(&start.status))
                    .collect();
                let resizes = if growing.is_empty() {
                    Ok(observe::Resizes::new())
                } else {
                    observe::volume_resizes(ctx, start.tenant, growing).await
                };
                match resizes {
                    Ok(resizes) => {
                        let obs = observe::rollout(
                            ctx,
                            start.tenant,
                            &stored,
                            &resizes,
                            &start.status,
                            start.stamp,
                            Some(&draining),
                        );
                        let input = Input::Observed(obs.rollout.clone());
                        run.observed = Some(obs);
                        input
                    }
                    Err(e) => Input::TransientError {
                        message: format!("cannot read the volume claims of a growing pool: {e}"),
                    },
                }
            }
            // Only Failed awaits nothing, and Failed is always reached by a wait.
            None => return Ok(run),
        };
    }
}

/// What the checks allow a transition's effects: only a transition that applies is
/// checked, since one that only records events touches no object.
async fn plan(ctx: &Context, start: &Start<'_>, effects: &[machine::Effect]) -> effects::Plan {
    if effects::applies(effects) {
        checks::plan(ctx, start.tenant, &start.objects).await
    } else {
        effects::Plan::Apply {
            in_place: Default::default(),
            grow: Vec::new(),
        }
    }
}

fn transition_span(t: &Transition) -> Span {
    let requeue = match t.next {
        Next::Continue => "continue".to_owned(),
        Next::Wait(r) => format!("{r} {}s", r.after().as_secs()),
    };
    let error_class = t.next.requeue().and_then(Requeue::error_class);
    let span = info_span!(
        "transition",
        otel.name = format!("{} -> {}", t.from, t.to),
        from = t.from.as_ref(),
        to = t.to.as_ref(),
        input = %t.fact,
        reason = t.reason.as_ref(),
        requeue = requeue,
        error.class = field::Empty,
    );
    if let Some(class) = error_class {
        span.record("error.class", class.as_ref());
        set_span_error(&span, t.message.clone());
    }
    span
}

/// The CredentialsCheck step: first what must exist (the generated internode secret, the
/// cert-manager Certificate), then the verdict on every Secret the pods read.
async fn secrets_checked(ctx: &Context, start: &Start<'_>, run: &mut Run) -> Input {
    let was_running = matches!(
        start.status.phase,
        Some(Phase::RollingOut | Phase::Ready | Phase::Degraded)
    );
    match effects::prerequisites::ensure(ctx, start.tenant, was_running).await {
        Ok(Some(problem)) => return Input::CredentialsChecked(problem.into()),
        Ok(None) => {}
        Err(e) => {
            return Input::TransientError {
                message: format!("cannot create the Tenant's prerequisites: {e}"),
            };
        }
    }
    match ctx.credentials(start.tenant).await {
        Ok(verdict) => {
            run.tls = verdict.tls;
            Input::CredentialsChecked(verdict.credentials)
        }
        Err(e) => Input::TransientError {
            message: format!("cannot read a Secret the Tenant needs: {e}"),
        },
    }
}

/// What the machine needs of the spec: the pools still in the cluster, and the retired ones
/// whose StatefulSet is still there to delete.
fn desired(ctx: &Context, tenant: &Tenant) -> Desired {
    let retired = crate::api::v1alpha1::retired_pools(tenant.status.as_ref());
    let ns = tenant.namespace_or_default();
    let lingering = retired.iter().filter(|pool| {
        let name = resources::names::stateful_set(tenant.name(), pool);
        ctx.stores
            .owned
            .stateful_sets
            .get(&kube::runtime::reflector::ObjectRef::new(&name).within(ns))
            .is_some()
    });
    Desired::new(
        tenant
            .spec
            .pools
            .iter()
            .filter(|p| !retired.contains(&p.name))
            .map(|p| (p.name.clone(), p.servers.max(0) as u32)),
    )
    .with_retired(lingering.cloned().collect::<Vec<_>>())
}

fn spec_checked(tenant: &Tenant) -> Input {
    Input::SpecChecked(
        validate::validate_spec(tenant)
            .map_err(|problems| problems.into_iter().map(Into::into).collect()),
    )
}

impl TenantObjects {
    /// The image the StatefulSets run.
    pub fn image(&self, build: &resources::BuildContext) -> String {
        self.stateful_sets
            .first()
            .and_then(|s| s.stateful_set.spec.as_ref())
            .and_then(|s| s.template.spec.as_ref())
            .and_then(|p| p.containers.first())
            .and_then(|c| c.image.clone())
            .unwrap_or_else(|| build.default_image.clone())
    }
}
