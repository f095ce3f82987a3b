// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The operator's Prometheus metrics, exposed in the OpenMetrics text format (which carries
//! the reconcile-duration exemplars with their trace ids).
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `rustfs_operator_reconciles_total` | counter | `result` = `ok` \| `error` |
//! | `rustfs_operator_reconcile_duration_seconds` | histogram, exemplar `trace_id` | `result` |
//! | `rustfs_operator_reconcile_errors_total` | counter | `class` = `credentials` \| `validation` \| `transient` |
//! | `rustfs_operator_transitions_total` | counter | `from`, `to` (phases) |
//! | `rustfs_operator_tenants` | gauge | `phase` |
//! | `rustfs_operator_leader` | gauge: 1 while this process reconciles, 0 as a standby | `identity` (the Lease holder identity) |

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::exemplar::HistogramWithExemplars;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Prefix of every metric name.
pub const PREFIX: &str = "rustfs_operator";

/// The error classes of the state machine; their counters exist (at zero) from the start so
/// `rate()` works before the first error.
pub const ERROR_CLASSES: [&str; 3] = ["credentials", "validation", "transient"];

/// Upper bounds (seconds) of the reconcile-duration buckets: one reconcile is a handful of
/// API calls, from a few milliseconds for a no-op to tens of seconds against a slow server.
const DURATION_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How a reconcile ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconcileResult {
    Ok,
    Error,
}

impl ReconcileResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ReconcileResult::Ok => "ok",
            ReconcileResult::Error => "error",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabel {
    class: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransitionLabels {
    from: String,
    to: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabel {
    phase: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DriveLabels {
    tenant: String,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CapacityLabels {
    tenant: String,
    kind: &'static str,
}

/// A storage check's outcome for `rustfs_operator_storage_checks_total`: `ok`, or an
/// admin-client error class, or `credentials`.
pub const STORAGE_CHECK_RESULTS: &[&str] = &[
    "ok",
    "credentials",
    "connect",
    "timeout",
    "auth",
    "status",
    "decode",
    "client",
];

const DRIVE_STATES: [&str; 3] = ["online", "offline", "healing"];
const CAPACITY_KINDS: [&str; 3] = ["total", "used", "available"];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IdentityLabel {
    identity: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TraceLabel {
    trace_id: String,
}

type DurationHistogram = HistogramWithExemplars<TraceLabel>;

/// The operator's metrics. Cheap to clone (one `Arc`); share one value between the
/// controller and the HTTP server.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    reconciles: Family<ResultLabel, Counter>,
    duration: Family<ResultLabel, DurationHistogram, fn() -> DurationHistogram>,
    errors: Family<ClassLabel, Counter>,
    transitions: Family<TransitionLabels, Counter>,
    tenants: Family<PhaseLabel, Gauge>,
    storage_checks: Family<ResultLabel, Counter>,
    drives: Family<DriveLabels, Gauge>,
    capacity: Family<CapacityLabels, Gauge>,
    leader: Family<IdentityLabel, Gauge>,
    /// Tenant key (`namespace/name`) -> the phase it is counted under. The lock also makes
    /// each move between two phase gauges atomic for a scrape.
    phase_of: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn new_duration_histogram() -> DurationHistogram {
    HistogramWithExemplars::new(DURATION_BUCKETS.into_iter())
}

impl Metrics {
    /// A fresh registry with every metric registered. Results and error classes start at
    /// zero; phases appear once a tenant is in them (or use [`Metrics::with_known_phases`]).
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix(PREFIX);
        let reconciles = Family::<ResultLabel, Counter>::default();
        let duration = Family::new_with_constructor(new_duration_histogram as fn() -> _);
        let errors = Family::<ClassLabel, Counter>::default();
        let transitions = Family::<TransitionLabels, Counter>::default();
        let tenants = Family::<PhaseLabel, Gauge>::default();
        let storage_checks = Family::<ResultLabel, Counter>::default();
        let drives = Family::<DriveLabels, Gauge>::default();
        let capacity = Family::<CapacityLabels, Gauge>::default();
        let leader = Family::<IdentityLabel, Gauge>::default();
        // Counter names get `_total` appended by the encoder.
        registry.register(
            "reconciles",
            "Reconciles of Tenants, by result",
            reconciles.clone(),
        );
        registry.register_with_unit(
            "reconcile_duration",
            "Time one Tenant reconcile took, by result; exemplars carry the trace id",
            prometheus_client::registry::Unit::Seconds,
            duration.clone(),
        );
        registry.register(
            "reconcile_errors",
            "Failed reconciles, by error class (credentials 60 s, validation 15 s, transient 5 s requeue)",
            errors.clone(),
        );
        registry.register(
            "transitions",
            "Tenant phase transitions, by from and to phase",
            transitions.clone(),
        );
        registry.register(
            "tenants",
            "Tenants known to the operator, by current phase",
            tenants.clone(),
        );
        registry.register(
            "leader",
            "1 while this process is the leader and reconciles, 0 while it is a standby",
            leader.clone(),
        );
        registry.register(
            "storage_checks",
            "Storage health checks of Tenants through RustFS's admin API, by result (ok, or why not)",
            storage_checks.clone(),
        );
        registry.register(
            "tenant_drives",
            "Drives of a Tenant by state (online, offline, healing), as RustFS last reported them",
            drives.clone(),
        );
        registry.register_with_unit(
            "tenant_raw_capacity",
            "Raw capacity of a Tenant's online drives (total, used, available), as RustFS last reported it",
            prometheus_client::registry::Unit::Bytes,
            capacity.clone(),
        );
        for result in STORAGE_CHECK_RESULTS {
            storage_checks.get_or_create_owned(&ResultLabel { result });
        }
        for result in [ReconcileResult::Ok, ReconcileResult::Error] {
            let label = ResultLabel {
                result: result.as_str(),
            };
            reconciles.get_or_create_owned(&label);
            duration.get_or_create_owned(&label);
        }
        for class in ERROR_CLASSES {
            errors.get_or_create_owned(&ClassLabel {
                class: class.to_owned(),
            });
        }
        Metrics {
            inner: Arc::new(Inner {
                registry,
                reconciles,
                duration,
                errors,
                transitions,
                tenants,
                storage_checks,
                drives,
                capacity,
                leader,
                phase_of: Mutex::default(),
            }),
        }
    }

    /// Like [`Metrics::new`], with a zero `tenants` gauge for each of `phases`, so every phase
    /// is a series from the start.
    pub fn with_known_phases<I, P>(phases: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        let metrics = Self::new();
        for phase in phases {
            metrics.inner.tenants.get_or_create_owned(&PhaseLabel {
                phase: phase.into(),
            });
        }
        metrics
    }

    /// Starts timing one reconcile; finish it with [`ReconcileTimer::finish`].
    pub fn reconcile_started(&self) -> ReconcileTimer {
        ReconcileTimer {
            metrics: self.clone(),
            started: Instant::now(),
        }
    }

    /// Counts one reconcile and observes its duration. With a trace id, the observation
    /// becomes the exemplar of its histogram bucket, linking the bucket to that trace.
    pub fn record_reconcile(
        &self,
        result: ReconcileResult,
        duration: Duration,
        trace_id: Option<&str>,
    ) {
        let label = ResultLabel {
            result: result.as_str(),
        };
        self.inner.reconciles.get_or_create(&label).inc();
        let exemplar = trace_id.map(|id| TraceLabel {
            trace_id: id.to_owned(),
        });
        self.inner.duration.get_or_create(&label).observe(
            duration.as_secs_f64(),
            exemplar,
            Some(SystemTime::now()),
        );
    }

    /// Counts one failed reconcile of `class` (`credentials`, `validation`, `transient`).
    pub fn record_error(&self, class: &str) {
        self.inner
            .errors
            .get_or_create(&ClassLabel {
                class: class.to_owned(),
            })
            .inc();
    }

    /// Counts one phase transition.
    pub fn record_transition(&self, from: &str, to: &str) {
        self.inner
            .transitions
            .get_or_create(&TransitionLabels {
                from: from.to_owned(),
                to: to.to_owned(),
            })
            .inc();
    }

    /// Records that tenant `key` (`namespace/name`) is now in `phase`. Idempotent; moving a
    /// tenant takes it out of its previous phase.
    pub fn set_tenant_phase(&self, key: &str, phase: &str) {
        let mut phase_of = self
            .inner
            .phase_of
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match phase_of.get(key) {
            Some(old) if old == phase => return,
            Some(old) => {
                self.gauge(old).dec();
            }
            None => {}
        }
        self.gauge(phase).inc();
        phase_of.insert(key.to_owned(), phase.to_owned());
    }

    /// Counts one storage check by its result (one of [`STORAGE_CHECK_RESULTS`]).
    pub fn record_storage_check(&self, result: &'static str) {
        self.inner
            .storage_checks
            .get_or_create(&ResultLabel { result })
            .inc();
    }

    /// Sets tenant `key`'s drive and capacity gauges from RustFS's last report.
    pub fn set_tenant_storage(&self, key: &str, drives: [u32; 3], capacity: [u64; 3]) {
        for (state, value) in DRIVE_STATES.into_iter().zip(drives) {
            self.inner
                .drives
                .get_or_create(&DriveLabels {
                    tenant: key.to_owned(),
                    state,
                })
                .set(i64::from(value));
        }
        for (kind, value) in CAPACITY_KINDS.into_iter().zip(capacity) {
            self.inner
                .capacity
                .get_or_create(&CapacityLabels {
                    tenant: key.to_owned(),
                    kind,
                })
                .set(i64::try_from(value).unwrap_or(i64::MAX));
        }
    }

    /// Stops counting tenant `key` (it was deleted). Unknown keys are ignored.
    pub fn forget_tenant(&self, key: &str) {
        for state in DRIVE_STATES {
            self.inner.drives.remove(&DriveLabels {
                tenant: key.to_owned(),
                state,
            });
        }
        for kind in CAPACITY_KINDS {
            self.inner.capacity.remove(&CapacityLabels {
                tenant: key.to_owned(),
                kind,
            });
        }
        let mut phase_of = self
            .inner
            .phase_of
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(old) = phase_of.remove(key) {
            self.gauge(&old).dec();
        }
    }

    /// Replaces the whole tenant -> phase map (e.g. from the reflector store after a
    /// restart or a relist): tenants absent from `tenants` are forgotten.
    pub fn set_tenant_phases<'a>(&self, tenants: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let mut phase_of = self
            .inner
            .phase_of
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for old in phase_of.values() {
            self.gauge(old).dec();
        }
        phase_of.clear();
        for (key, phase) in tenants {
            if let Some(old) = phase_of.insert(key.to_owned(), phase.to_owned()) {
                self.gauge(&old).dec();
            }
            self.gauge(phase).inc();
        }
    }

    /// Records whether this process, holder identity `identity`, is the leader.
    pub fn set_leader(&self, identity: &str, leader: bool) {
        self.inner
            .leader
            .get_or_create(&IdentityLabel {
                identity: identity.to_owned(),
            })
            .set(i64::from(leader));
    }

    fn gauge(&self, phase: &str) -> Gauge {
        self.inner.tenants.get_or_create_owned(&PhaseLabel {
            phase: phase.to_owned(),
        })
    }

    /// The OpenMetrics text exposition (ends with `# EOF`).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail; an encoder error would be a bug in a label.
        prometheus_client::encoding::text::encode(&mut out, &self.inner.registry)
            .expect("encoding metrics into a String");
        out
    }
}

/// Times one reconcile from [`Metrics::reconcile_started`].
#[derive(Debug)]
#[must_use = "call finish() to record the reconcile"]
pub struct ReconcileTimer {
    metrics: Metrics,
    started: Instant,
}

impl ReconcileTimer {
    /// Time since the reconcile started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Records the reconcile with its result and (when traced) trace id.
    pub fn finish(self, result: ReconcileResult, trace_id: Option<&str>) {
        self.metrics
            .record_reconcile(result, self.started.elapsed(), trace_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample line `name{labels} value` (labels as printed), if present.
    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines().find_map(|line| {
            let rest = line.strip_prefix(series)?.strip_prefix(' ')?;
            rest.split_whitespace().next()?.parse().ok()
        })
    }

    #[test]
    fn fresh_registry_has_every_family_with_zeroed_results_and_classes() {
        let text = Metrics::with_known_phases(["Ready"]).encode();
        for line in [
            "# TYPE rustfs_operator_reconciles counter",
            "# TYPE rustfs_operator_reconcile_duration_seconds histogram",
            "# UNIT rustfs_operator_reconcile_duration_seconds seconds",
            "# TYPE rustfs_operator_reconcile_errors counter",
            "# TYPE rustfs_operator_tenants gauge",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        assert_eq!(
            sample(&text, r#"rustfs_operator_reconciles_total{result="ok"}"#),
            Some(0.0)
        );
        assert_eq!(
            sample(&text, r#"rustfs_operator_reconciles_total{result="error"}"#),
            Some(0.0)
        );
        for class in ERROR_CLASSES {
            let series = format!(r#"rustfs_operator_reconcile_errors_total{{class="{class}"}}"#);
            assert_eq!(sample(&text, &series), Some(0.0), "{series}");
        }
        assert_eq!(
            sample(&text, r#"rustfs_operator_tenants{phase="Ready"}"#),
            Some(0.0)
        );
        // A family without series is not printed: transitions appear with the first one.
        assert!(!text.contains("rustfs_operator_transitions"));
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn reconciles_are_counted_and_timed_with_a_trace_id_exemplar() {
        let m = Metrics::new();
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        m.record_reconcile(ReconcileResult::Ok, Duration::from_millis(30), Some(trace));
        m.record_reconcile(ReconcileResult::Ok, Duration::from_millis(3), None);
        m.record_reconcile(ReconcileResult::Error, Duration::from_secs(2), None);
        let text = m.encode();
        assert_eq!(
            sample(&text, r#"rustfs_operator_reconciles_total{result="ok"}"#),
            Some(2.0)
        );
        assert_eq!(
            sample(&text, r#"rustfs_operator_reconciles_total{result="error"}"#),
            Some(1.0)
        );
        assert_eq!(
            sample(
                &text,
                r#"rustfs_operator_reconcile_duration_seconds_count{result="ok"}"#
            ),
            Some(2.0)
        );
        let sum = sample(
            &text,
            r#"rustfs_operator_reconcile_duration_seconds_sum{result="ok"}"#,
        )
        .unwrap();
        assert!((sum - 0.033).abs() < 1e-9, "{sum}");
        // 30 ms falls in the 0.05 bucket; the exemplar follows the bucket's count.
        let bucket = text
            .lines()
            .find(|l| {
                l.starts_with(
                    r#"rustfs_operator_reconcile_duration_seconds_bucket{le="0.05",result="ok"}"#,
                )
            })
            .unwrap_or_else(|| panic!("no 0.05 bucket in\n{text}"));
        let (value, exemplar) = bucket.split_once(" # ").expect("exemplar on the bucket");
        assert!(value.ends_with(" 2"), "{bucket}");
        assert!(
            exemplar.starts_with(&format!(r#"{{trace_id="{trace}"}} 0.03"#)),
            "{bucket}"
        );
        // No exemplar where no traced reconcile fell.
        assert!(
            text.lines()
                .filter(|l| l.contains(r#"result="error""#))
                .all(|l| !l.contains("trace_id")),
            "{text}"
        );
    }

    #[test]
    fn timer_records_elapsed_time() {
        let m = Metrics::new();
        let timer = m.reconcile_started();
        std::thread::sleep(Duration::from_millis(20));
        timer.finish(
            ReconcileResult::Error,
            Some("0af7651916cd43dd8448eb211c80319c"),
        );
        let text = m.encode();
        let sum = sample(
            &text,
            r#"rustfs_operator_reconcile_duration_seconds_sum{result="error"}"#,
        )
        .unwrap();
        assert!(sum >= 0.02, "{sum}");
        assert!(text.contains(r#"# {trace_id="0af7651916cd43dd8448eb211c80319c"}"#));
    }

    #[test]
    fn storage_checks_drives_and_capacity_per_tenant_until_it_is_forgotten() {
        let m = Metrics::new();
        let text = m.encode();
        for result in STORAGE_CHECK_RESULTS {
            let series = format!(r#"rustfs_operator_storage_checks_total{{result="{result}"}}"#);
            assert_eq!(sample(&text, &series), Some(0.0), "{series} in\n{text}");
        }
        m.record_storage_check("ok");
        m.record_storage_check("ok");
        m.record_storage_check("timeout");
        m.set_tenant_storage("ns/t", [3, 1, 0], [4_000, 1_000, 3_000]);
        m.set_tenant_storage("ns/u", [4, 0, 0], [8_000, 0, 8_000]);
        let text = m.encode();
        let checks = |r: &str| {
            sample(
                &text,
                &format!(r#"rustfs_operator_storage_checks_total{{result="{r}"}}"#),
            )
        };
        assert_eq!(checks("ok"), Some(2.0));
        assert_eq!(checks("timeout"), Some(1.0));
        assert_eq!(checks("auth"), Some(0.0));
        assert!(text.contains("# TYPE rustfs_operator_tenant_drives gauge"));
        assert!(text.contains("# UNIT rustfs_operator_tenant_raw_capacity_bytes bytes"));
        let drives = |t: &str, s: &str| {
            sample(
                &text,
                &format!(r#"rustfs_operator_tenant_drives{{tenant="{t}",state="{s}"}}"#),
            )
        };
        let capacity = |t: &str, k: &str| {
            sample(
                &text,
                &format!(r#"rustfs_operator_tenant_raw_capacity_bytes{{tenant="{t}",kind="{k}"}}"#),
            )
        };
        assert_eq!(drives("ns/t", "online"), Some(3.0), "{text}");
        assert_eq!(drives("ns/t", "offline"), Some(1.0));
        assert_eq!(drives("ns/t", "healing"), Some(0.0));
        assert_eq!(capacity("ns/t", "total"), Some(4_000.0), "{text}");
        assert_eq!(capacity("ns/t", "used"), Some(1_000.0));
        assert_eq!(capacity("ns/t", "available"), Some(3_000.0));
        assert_eq!(drives("ns/u", "online"), Some(4.0));

        // A new report replaces the old; a deleted Tenant leaves every series.
        m.set_tenant_storage("ns/t", [4, 0, 0], [4_000, 1_200, 2_800]);
        m.forget_tenant("ns/u");
        let text = m.encode();
        assert_eq!(
            sample(
                &text,
                r#"rustfs_operator_tenant_drives{tenant="ns/t",state="offline"}"#
            ),
            Some(0.0)
        );
        assert!(!text.contains(r#"tenant="ns/u""#), "{text}");
    }

    #[test]
    fn errors_and_transitions_are_counted_by_label() {
        let m = Metrics::new();
        m.record_error("credentials");
        m.record_error("credentials");
        m.record_error("transient");
        m.record_transition("Validating", "CredentialsCheck");
        m.record_transition("Validating", "CredentialsCheck");
        m.record_transition("RollingOut", "Ready");
        let text = m.encode();
        assert!(
            text.lines()
                .any(|l| l == "# TYPE rustfs_operator_transitions counter")
        );
        let errors = |c: &str| {
            sample(
                &text,
                &format!(r#"rustfs_operator_reconcile_errors_total{{class="{c}"}}"#),
            )
        };
        assert_eq!(errors("credentials"), Some(2.0));
        assert_eq!(errors("transient"), Some(1.0));
        assert_eq!(errors("validation"), Some(0.0));
        assert_eq!(
            sample(
                &text,
                r#"rustfs_operator_transitions_total{from="Validating",to="CredentialsCheck"}"#
            ),
            Some(2.0)
        );
        assert_eq!(
            sample(
                &text,
                r#"rustfs_operator_transitions_total{from="RollingOut",to="Ready"}"#
            ),
            Some(1.0)
        );
    }

    #[test]
    fn tenant_gauge_follows_phase_changes_and_deletions() {
        let m = Metrics::with_known_phases(["Validating", "Ready", "Failed"]);
        let tenants = |m: &Metrics, p: &str| {
            sample(
                &m.encode(),
                &format!(r#"rustfs_operator_tenants{{phase="{p}"}}"#),
            )
        };
        assert_eq!(tenants(&m, "Failed"), Some(0.0));

        m.set_tenant_phase("ns/a", "Validating");
        m.set_tenant_phase("ns/b", "Validating");
        m.set_tenant_phase("ns/a", "Ready");
        m.set_tenant_phase("ns/a", "Ready"); // repeated: no double count
        assert_eq!(tenants(&m, "Validating"), Some(1.0));
        assert_eq!(tenants(&m, "Ready"), Some(1.0));

        m.forget_tenant("ns/a");
        m.forget_tenant("ns/never-seen");
        assert_eq!(tenants(&m, "Ready"), Some(0.0));
        assert_eq!(tenants(&m, "Validating"), Some(1.0));

        m.set_tenant_phases([("ns/c", "Degraded"), ("ns/d", "Degraded")]);
        assert_eq!(
            tenants(&m, "Validating"),
            Some(0.0),
            "ns/b was dropped by the resync"
        );
        assert_eq!(tenants(&m, "Degraded"), Some(2.0));
    }

    #[test]
    fn leadership_is_a_gauge_per_identity() {
        let m = Metrics::new();
        assert!(!m.encode().contains("rustfs_operator_leader{"));
        m.set_leader("op-1-ab12cd34", false);
        let series = r#"rustfs_operator_leader{identity="op-1-ab12cd34"}"#;
        assert_eq!(sample(&m.encode(), series), Some(0.0));
        m.set_leader("op-1-ab12cd34", true);
        let text = m.encode();
        assert_eq!(sample(&text, series), Some(1.0));
        assert!(
            text.contains("# TYPE rustfs_operator_leader gauge"),
            "{text}"
        );
    }

    #[test]
    fn clones_share_one_registry() {
        let m = Metrics::new();
        let other = m.clone();
        other.record_error("validation");
        assert_eq!(
            sample(
                &m.encode(),
                r#"rustfs_operator_reconcile_errors_total{class="validation"}"#
            ),
            Some(1.0)
        );
    }
}
