// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Kubernetes Events on the Tenant, one per `RecordEvent` effect, minus repeats.

use k8s_openapi::api::core::v1::ObjectReference;
use kube::Resource;
use kube::runtime::events::{Event, EventType, Recorder};
use machine::{Effect, EventKind};
use tracing::{Instrument, info_span, warn};

use crate::api::v1alpha1::Tenant;
use crate::context::Context;

/// Publishes the transition's events, skipping one identical to the Tenant's last event.
pub(super) async fn record(ctx: &Context, tenant: &Tenant, effects: &[Effect]) {
    for effect in effects {
        let Effect::RecordEvent {
            kind,
            reason,
            message,
        } = effect
        else {
            continue;
        };
        if !ctx.is_new_event(tenant, *reason, message) {
            continue;
        }
        let event = Event {
            type_: match kind {
                EventKind::Normal => EventType::Normal,
                EventKind::Warning => EventType::Warning,
            },
            reason: reason.to_string(),
            note: Some(truncate(message, 1000)),
            action: "Reconcile".into(),
            secondary: None,
        };
        let reference = tenant.object_ref(&());
        let span = info_span!("event", otel.name = format!("event {reason}"), reason = %reason);
        if let Err(e) = publish(ctx, &event, &reference).instrument(span).await {
            warn!(error = %e, %reason, "cannot record event");
        }
    }
}

/// Creates one Event about `reference`, through a kube-runtime [`Recorder`] made for it and
/// dropped after it.
///
/// A long-lived `Recorder` keeps every event it published for 6 minutes, to turn a repeat
/// into a series (one PATCH instead of a new Event). The operator's events do not repeat:
/// each marks a transition, and `Context::is_new_event` already drops one identical to the
/// Tenant's last. That cache only held memory: 4.4 MB of the peak heap at 300 Tenants, most
/// of the Events of a 1,000-Tenant rollout (docs/performance.md).
pub async fn publish(
    ctx: &Context,
    event: &Event,
    reference: &ObjectReference,
) -> Result<(), kube::Error> {
    Recorder::new(ctx.client.clone(), ctx.reporter.clone())
        .publish(event, reference)
        .await
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn truncate_keeps_short_notes_and_cuts_long_ones_on_a_char_boundary() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("ééé", 3), "é…");
    }
}
