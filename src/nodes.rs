// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Pods on a dead node: which of a Tenant's pods sit on a Node that has been down for longer
//! than the grace period, and what `spec.podDeletionPolicyWhenNodeIsDown` says to do with
//! them. Pure: Nodes, pods and the time in, actions out. The reconcile shell gathers the
//! facts, `effects::pods` carries the actions out.
//!
//! Forcing (grace period 0) removes the pod object without waiting for its kubelet, so the
//! StatefulSet controller starts the replacement at once under the same name, with the
//! same claims. If the old pod still ran (a partitioned node, not a dead one), two RustFS
//! processes would write the same volumes. Kubernetes' answer is the
//! `node.kubernetes.io/out-of-service` taint, which an admin sets after making sure the
//! machine is off; forcing is allowed only then, or once the Node object is gone.

use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Node, Pod};

use crate::api::v1alpha1::PodDeletionPolicy;

/// The taint an admin puts on a Node to say it is shut down for good.
pub const OUT_OF_SERVICE_TAINT: &str = "node.kubernetes.io/out-of-service";

/// Default of `--node-down-grace`: Kubernetes' own default toleration of an unreachable
/// node is also 5 minutes.
pub const DEFAULT_NODE_DOWN_GRACE: Duration = Duration::from_secs(300);

/// What a Node's object says about it, reduced to what the decision needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeHealth {
    /// Since when the `Ready` condition is not `True` (`False` or `Unknown`); `None` when
    /// the node is Ready. A node without a `Ready` condition is counted as down since
    /// forever: it has never reported.
    pub down_since: Option<DateTime<Utc>>,
    /// Carries the out-of-service taint (any value, any effect).
    pub out_of_service: bool,
}

impl NodeHealth {
    pub fn of(node: &Node) -> Self {
        let ready = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"));
        let down_since = match ready {
            Some(c) if c.status == "True" => None,
            Some(c) => Some(
                c.last_transition_time
                    .as_ref()
                    .map_or(DateTime::<Utc>::MIN_UTC, |t| time(t.0)),
            ),
            None => Some(DateTime::<Utc>::MIN_UTC),
        };
        let out_of_service = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .is_some_and(|ts| ts.iter().any(|t| t.key == OUT_OF_SERVICE_TAINT));
        Self {
            down_since,
            out_of_service,
        }
    }
}

fn time(t: k8s_openapi::jiff::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp(t.as_second(), t.subsec_nanosecond().max(0) as u32)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Keeps only what [`NodeHealth::of`] and the cache's keys read: the name, the taints and
/// the `Ready` condition. Nodes carry large statuses (images, addresses, capacity); the
/// operator's cache of every Node stays small this way.
pub fn strip(node: &mut Node) {
    let meta = &mut node.metadata;
    meta.annotations = None;
    meta.labels = None;
    meta.managed_fields = None;
    meta.owner_references = None;
    meta.finalizers = None;
    if let Some(spec) = node.spec.as_mut() {
        let taints = spec.taints.take();
        *spec = Default::default();
        spec.taints = taints;
    }
    if let Some(status) = node.status.as_mut() {
        let ready: Option<Vec<_>> = status
            .conditions
            .take()
            .map(|cs| cs.into_iter().filter(|c| c.type_ == "Ready").collect());
        *status = Default::default();
        status.conditions = ready;
    }
}

/// Why a force is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::Display)]
pub enum ForceReason {
    /// The Node object no longer exists.
    #[strum(to_string = "its Node object is gone")]
    NodeGone,
    /// The Node carries the out-of-service taint.
    #[strum(to_string = "its Node carries the node.kubernetes.io/out-of-service taint")]
    OutOfService,
}

/// What to do with one pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PodAction {
    /// A normal delete (the pod's own grace period).
    Delete {
        pod: String,
        uid: String,
        node: String,
    },
    /// A delete with grace period 0.
    ForceDelete {
        pod: String,
        uid: String,
        node: String,
        why: ForceReason,
    },
    /// Nothing is done; an admin must act. `message` says what.
    Explain {
        pod: String,
        uid: String,
        node: String,
        message: String,
    },
}

impl PodAction {
    /// The Event reason on the Tenant.
    pub fn reason(&self) -> &'static str {
        match self {
            PodAction::Delete { .. } => "PodOnDownNodeDeleted",
            PodAction::ForceDelete { .. } => "PodOnDownNodeForceDeleted",
            PodAction::Explain { .. } => "PodOnDownNodeNotForced",
        }
    }

    pub fn pod(&self) -> &str {
        match self {
            PodAction::Delete { pod, .. }
            | PodAction::ForceDelete { pod, .. }
            | PodAction::Explain { pod, .. } => pod,
        }
    }

    pub fn uid(&self) -> &str {
        match self {
            PodAction::Delete { uid, .. }
            | PodAction::ForceDelete { uid, .. }
            | PodAction::Explain { uid, .. } => uid,
        }
    }

    /// The Event note.
    pub fn message(&self, grace: Duration) -> String {
        match self {
            PodAction::Delete { pod, node, .. } => format!(
                "deleted pod {pod}: its node {node} has been down for over {} s (podDeletionPolicyWhenNodeIsDown: Delete)",
                grace.as_secs()
            ),
            PodAction::ForceDelete { pod, node, why, .. } => format!(
                "force-deleted pod {pod} (grace period 0) on down node {node}: {why} (podDeletionPolicyWhenNodeIsDown: ForceDelete)"
            ),
            PodAction::Explain { message, .. } => message.clone(),
        }
    }
}

/// What to do now, and when to look again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeDownPlan {
    pub actions: Vec<PodAction>,
    /// A pod sits on a node that is down but not yet for the grace period: check again then.
    pub recheck_after: Option<Duration>,
}

/// Decides for a Tenant's pods. `node` looks a Node up by name (`None`: no such Node).
pub fn plan(
    policy: PodDeletionPolicy,
    pods: &[Pod],
    node: impl Fn(&str) -> Option<NodeHealth>,
    now: DateTime<Utc>,
    grace: Duration,
) -> NodeDownPlan {
    let mut out = NodeDownPlan::default();
    if policy == PodDeletionPolicy::DoNothing {
        return out;
    }
    let grace_td = chrono::TimeDelta::from_std(grace).unwrap_or(chrono::TimeDelta::MAX);
    for p in pods {
        let (Some(name), Some(uid)) = (p.metadata.name.clone(), p.metadata.uid.clone()) else {
            continue;
        };
        let Some(node_name) = p.spec.as_ref().and_then(|s| s.node_name.clone()) else {
            continue; // not scheduled: no node to be down
        };
        let health = node(&node_name);
        if let Some(h) = &health {
            let Some(since) = h.down_since else { continue };
            let down_for = now.signed_duration_since(since);
            if down_for < grace_td {
                let left = (grace_td - down_for).to_std().unwrap_or_default();
                out.recheck_after = Some(out.recheck_after.map_or(left, |r| r.min(left)));
                continue;
            }
        }
        let terminating = p.metadata.deletion_timestamp.is_some();
        let force = match &health {
            None => Some(ForceReason::NodeGone),
            Some(h) if h.out_of_service => Some(ForceReason::OutOfService),
            Some(_) => None,
        };
        let action = match (policy, force) {
            (PodDeletionPolicy::DoNothing, _) => continue,
            (PodDeletionPolicy::Delete, _) if terminating => continue, // already deleted
            (PodDeletionPolicy::Delete, _) => PodAction::Delete {
                pod: name,
                uid,
                node: node_name,
            },
            (PodDeletionPolicy::ForceDelete, Some(why)) => PodAction::ForceDelete {
                pod: name,
                uid,
                node: node_name,
                why,
            },
            (PodDeletionPolicy::ForceDelete, None) => {
                let message = format!(
                    "pod {name} is on node {node_name}, down for over {} s; not force-deleting it while the Node may still run it. Once you are sure the machine is off: kubectl taint node {node_name} {OUT_OF_SERVICE_TAINT}=nodeshutdown:NoExecute (or delete the Node); the operator then force-deletes the pod",
                    grace.as_secs()
                );
                PodAction::Explain {
                    pod: name,
                    uid,
                    node: node_name,
                    message,
                }
            }
        };
        out.actions.push(action);
    }
    out
}

/// Some Node in `nodes` is not Ready: only then is listing a Tenant's pods worth it.
pub fn any_down<'a>(nodes: impl IntoIterator<Item = &'a NodeHealth>) -> bool {
    nodes.into_iter().any(|h| h.down_since.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{NodeCondition, NodeSpec, NodeStatus, PodSpec, Taint};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use kube::api::ObjectMeta;

    const GRACE: Duration = Duration::from_secs(300);

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn node(ready: &str, minutes_ago: i64, taints: &[&str]) -> Node {
        let at = now() - chrono::TimeDelta::minutes(minutes_ago);
        Node {
            metadata: ObjectMeta {
                name: Some("n1".into()),
                labels: Some([("a".to_owned(), "b".to_owned())].into()),
                ..ObjectMeta::default()
            },
            spec: Some(NodeSpec {
                unschedulable: Some(true),
                taints: Some(
                    taints
                        .iter()
                        .map(|k| Taint {
                            key: (*k).into(),
                            effect: "NoExecute".into(),
                            ..Taint::default()
                        })
                        .collect(),
                ),
                ..NodeSpec::default()
            }),
            status: Some(NodeStatus {
                conditions: Some(vec![
                    NodeCondition {
                        type_: "MemoryPressure".into(),
                        status: "False".into(),
                        ..NodeCondition::default()
                    },
                    NodeCondition {
                        type_: "Ready".into(),
                        status: ready.into(),
                        last_transition_time: Some(Time(
                            k8s_openapi::jiff::Timestamp::from_second(at.timestamp()).unwrap(),
                        )),
                        ..NodeCondition::default()
                    },
                ]),
                ..NodeStatus::default()
            }),
        }
    }

    fn pod(name: &str, node: Option<&str>, terminating: bool) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                uid: Some(format!("uid-{name}")),
                deletion_timestamp: terminating.then(|| {
                    Time(k8s_openapi::jiff::Timestamp::from_second(now().timestamp()).unwrap())
                }),
                ..ObjectMeta::default()
            },
            spec: Some(PodSpec {
                node_name: node.map(str::to_owned),
                ..PodSpec::default()
            }),
            status: None,
        }
    }

    fn health(n: &Node) -> impl Fn(&str) -> Option<NodeHealth> + '_ {
        move |name| (name == "n1").then(|| NodeHealth::of(n))
    }

    #[test]
    fn node_health_reads_the_ready_condition_and_the_out_of_service_taint() {
        assert_eq!(NodeHealth::of(&node("True", 60, &[])).down_since, None);
        let down = NodeHealth::of(&node("Unknown", 10, &[OUT_OF_SERVICE_TAINT]));
        assert_eq!(
            down.down_since,
            Some(now() - chrono::TimeDelta::minutes(10))
        );
        assert!(down.out_of_service);
        assert!(
            NodeHealth::of(&node("False", 1, &["other"]))
                .down_since
                .is_some()
        );
        assert!(!NodeHealth::of(&node("False", 1, &["other"])).out_of_service);
        assert_eq!(
            NodeHealth::of(&Node::default()).down_since,
            Some(DateTime::<Utc>::MIN_UTC),
            "never reported"
        );
        assert!(any_down(&[
            NodeHealth::of(&node("True", 1, &[])),
            NodeHealth::of(&node("Unknown", 1, &[]))
        ]));
        assert!(!any_down(&[NodeHealth::of(&node("True", 1, &[]))]));
    }

    #[test]
    fn strip_keeps_only_what_the_decision_reads() {
        let mut n = node("Unknown", 10, &[OUT_OF_SERVICE_TAINT]);
        let before = NodeHealth::of(&n);
        strip(&mut n);
        assert_eq!(NodeHealth::of(&n), before);
        assert_eq!(n.metadata.name.as_deref(), Some("n1"));
        assert!(n.metadata.labels.is_none());
        assert_eq!(n.spec.as_ref().unwrap().unschedulable, None);
        assert_eq!(n.status.unwrap().conditions.unwrap().len(), 1);
    }

    #[test]
    fn do_nothing_does_nothing() {
        let n = node("Unknown", 60, &[OUT_OF_SERVICE_TAINT]);
        let plan = super::plan(
            PodDeletionPolicy::DoNothing,
            &[
                pod("t-0", Some("n1"), true),
                pod("t-1", Some("gone"), false),
            ],
            health(&n),
            now(),
            GRACE,
        );
        assert_eq!(plan, NodeDownPlan::default());
    }

    #[test]
    fn nothing_happens_within_the_grace_period_but_a_recheck_is_due_when_it_ends() {
        let n = node("Unknown", 3, &[]);
        for policy in [PodDeletionPolicy::Delete, PodDeletionPolicy::ForceDelete] {
            let plan = super::plan(
                policy,
                &[pod("t-0", Some("n1"), false)],
                health(&n),
                now(),
                GRACE,
            );
            assert!(plan.actions.is_empty(), "{policy}: {plan:?}");
            assert_eq!(plan.recheck_after, Some(Duration::from_secs(120)));
        }
        // A Ready node, an unscheduled pod: nothing, and nothing to wait for.
        let ready = node("True", 60, &[]);
        let plan = super::plan(
            PodDeletionPolicy::ForceDelete,
            &[pod("t-0", Some("n1"), false), pod("t-1", None, false)],
            health(&ready),
            now(),
            GRACE,
        );
        assert_eq!(plan, NodeDownPlan::default());
    }

    #[test]
    fn delete_deletes_once_normally_whatever_the_taints() {
        let n = node("Unknown", 6, &[OUT_OF_SERVICE_TAINT]);
        let plan = super::plan(
            PodDeletionPolicy::Delete,
            &[pod("t-0", Some("n1"), false), pod("t-1", Some("n1"), true)],
            health(&n),
            now(),
            GRACE,
        );
        assert_eq!(
            plan.actions,
            [PodAction::Delete {
                pod: "t-0".into(),
                uid: "uid-t-0".into(),
                node: "n1".into()
            }],
            "a pod already terminating is not deleted again"
        );
        assert!(plan.actions[0].message(GRACE).contains("over 300 s"));
    }

    #[test]
    fn force_delete_forces_only_on_a_gone_or_out_of_service_node() {
        let pods = [
            pod("t-0", Some("n1"), true),
            pod("t-1", Some("gone"), false),
        ];
        // Down, not out of service: t-0 is explained, t-1's node is gone: forced.
        let down = node("False", 6, &[]);
        let plan = super::plan(
            PodDeletionPolicy::ForceDelete,
            &pods,
            health(&down),
            now(),
            GRACE,
        );
        assert!(
            matches!(&plan.actions[0], PodAction::Explain { pod, message, .. }
                if pod == "t-0" && message.contains("kubectl taint node n1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute")),
            "{plan:?}"
        );
        assert_eq!(
            plan.actions[1],
            PodAction::ForceDelete {
                pod: "t-1".into(),
                uid: "uid-t-1".into(),
                node: "gone".into(),
                why: ForceReason::NodeGone
            }
        );
        // Out of service: forced, terminating or not.
        let off = node("Unknown", 6, &[OUT_OF_SERVICE_TAINT]);
        let plan = super::plan(
            PodDeletionPolicy::ForceDelete,
            &pods[..1],
            health(&off),
            now(),
            GRACE,
        );
        assert_eq!(plan.actions.len(), 1);
        assert_eq!(plan.actions[0].reason(), "PodOnDownNodeForceDeleted");
        assert!(
            plan.actions[0]
                .message(GRACE)
                .contains("out-of-service taint"),
            "{:?}",
            plan.actions[0]
        );
        // The out-of-service taint alone, on a Ready node, forces nothing.
        let ready_tainted = node("True", 60, &[OUT_OF_SERVICE_TAINT]);
        let plan = super::plan(
            PodDeletionPolicy::ForceDelete,
            &pods[..1],
            health(&ready_tainted),
            now(),
            GRACE,
        );
        assert!(plan.actions.is_empty());
    }
}
