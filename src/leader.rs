// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Leader election on a `coordination.k8s.io` Lease: of all the operator processes that
//! share a Lease, only its holder reconciles (see ADR 0009).
//!
//! The Lease itself is written by `kube-lease-manager` (create once, then patches: take,
//! renew, release). On top of it this module keeps a renew deadline of its own, as
//! client-go does: the holder watches the Lease and steps down when it sees another holder,
//! or when its last renewal it can see is older than `renew_deadline`. The crate alone
//! would keep saying "leader" while its renewals fail (it only logs and backs off), and a
//! standby takes over once the Lease expires: `renew_deadline < duration` is what keeps
//! the two from ever acting at once, with `duration - renew_deadline` of clock skew allowed.
//!
//! The only API writes outside `src/effects/` are this Lease's, and they are the crate's.

use std::time::{Duration, SystemTime};

use futures::StreamExt;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use kube::Client;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use kube_lease_manager::{LeaseManager, LeaseManagerBuilder};
use snafu::{ResultExt as _, Snafu};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// Default name of the Lease when the operator watches every namespace.
pub const DEFAULT_LEASE_NAME: &str = "rustfs-operator";

/// The election flags of `server`, each with an environment variable.
#[derive(Debug, Clone, clap::Args)]
pub struct LeaderArgs {
    /// Take part in leader election on a Lease; only the holder reconciles. `false`: this
    /// process reconciles at once (then run exactly one).
    #[arg(
        long,
        env = "RUSTFS_OPERATOR_LEADER_ELECT",
        default_value_t = true,
        action = clap::ArgAction::Set,
        value_name = "BOOL"
    )]
    pub leader_elect: bool,
    /// Name of the Lease (default: rustfs-operator, or rustfs-operator-<namespace> with
    /// --namespace, so operators of different namespaces do not wait for each other).
    #[arg(long, env = "RUSTFS_OPERATOR_LEASE_NAME")]
    pub lease_name: Option<String>,
    /// Namespace of the Lease (default: the client's namespace: the pod's in a cluster, the
    /// kubeconfig context's outside).
    #[arg(long, env = "POD_NAMESPACE")]
    pub lease_namespace: Option<String>,
    /// Seconds a Lease stays valid after its last renewal; a standby takes over after that.
    #[arg(long, env = "RUSTFS_OPERATOR_LEASE_DURATION", default_value_t = 15)]
    pub lease_duration: u64,
    /// Seconds the leader may go without a renewal it can see before it stops (exits).
    /// Must be shorter than --lease-duration.
    #[arg(
        long,
        env = "RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE",
        default_value_t = 10
    )]
    pub lease_renew_deadline: u64,
    /// Seconds between renewals by the leader (and checks of the deadline).
    #[arg(long, env = "RUSTFS_OPERATOR_LEASE_RETRY_PERIOD", default_value_t = 2)]
    pub lease_retry_period: u64,
}

/// Timings that cannot work together.
#[derive(Debug, Snafu, PartialEq, Eq)]
pub enum ConfigError {
    #[snafu(display(
        "--lease-renew-deadline ({renew_deadline} s) must be shorter than --lease-duration ({duration} s): the leader must stop before a standby may take over"
    ))]
    DeadlineNotBelowDuration { renew_deadline: u64, duration: u64 },
    #[snafu(display(
        "--lease-retry-period ({retry_period} s) must be at least 1 s and shorter than --lease-renew-deadline ({renew_deadline} s): a leader renews several times within the deadline"
    ))]
    RetryNotBelowDeadline {
        retry_period: u64,
        renew_deadline: u64,
    },
}

/// Where and how to elect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseConfig {
    pub name: String,
    pub namespace: String,
    /// The holder identity this process writes: pod (or host) name and a random suffix.
    pub identity: String,
    pub duration: u64,
    pub renew_deadline: u64,
    pub retry_period: u64,
}

impl LeaderArgs {
    /// Checks that the timings can work together (only when election is on). Needs no
    /// client, so a bad flag stops the process before it connects anywhere.
    pub fn check(&self) -> Result<(), ConfigError> {
        if !self.leader_elect {
            return Ok(());
        }
        let (duration, renew_deadline, retry_period) = (
            self.lease_duration,
            self.lease_renew_deadline,
            self.lease_retry_period,
        );
        snafu::ensure!(
            renew_deadline < duration,
            DeadlineNotBelowDurationSnafu {
                renew_deadline,
                duration
            }
        );
        snafu::ensure!(
            retry_period >= 1 && retry_period < renew_deadline,
            RetryNotBelowDeadlineSnafu {
                retry_period,
                renew_deadline
            }
        );
        Ok(())
    }

    /// The Lease settings, or `None` when election is off. `watch_namespace` is
    /// `--namespace`; `client_namespace` the client's default namespace.
    pub fn lease(
        &self,
        watch_namespace: Option<&str>,
        client_namespace: &str,
        identity: String,
    ) -> Result<Option<LeaseConfig>, ConfigError> {
        if !self.leader_elect {
            return Ok(None);
        }
        self.check()?;
        Ok(Some(LeaseConfig {
            name: self
                .lease_name
                .clone()
                .unwrap_or_else(|| default_lease_name(watch_namespace)),
            namespace: self
                .lease_namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| client_namespace.to_owned()),
            identity,
            duration: self.lease_duration,
            renew_deadline: self.lease_renew_deadline,
            retry_period: self.lease_retry_period,
        }))
    }
}

/// `rustfs-operator`, or `rustfs-operator-<ns>` for an operator of one namespace.
pub fn default_lease_name(watch_namespace: Option<&str>) -> String {
    match watch_namespace {
        Some(ns) if !ns.is_empty() => format!("{DEFAULT_LEASE_NAME}-{ns}"),
        _ => DEFAULT_LEASE_NAME.to_owned(),
    }
}

/// This process's identity: `POD_NAME` (the Deployment sets it from the downward API), else
/// the host name, else `rustfs-operator`, then a random suffix, so a restarted pod of the
/// same name is a new holder and two processes on one host differ.
pub fn identity(pod_name: Option<&str>, hostname: Option<&str>) -> String {
    let base = [pod_name, hostname]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(DEFAULT_LEASE_NAME);
    format!("{base}-{}", random_suffix())
}

fn random_suffix() -> String {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 4];
    // The system RNG does not fail on Linux; a fixed suffix would still be a valid name.
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why this process stopped being the leader.
#[derive(Debug, Snafu, PartialEq, Eq)]
pub enum Lost {
    #[snafu(display("leadership lost: Lease {lease} is now held by {holder}"))]
    TakenOver { lease: String, holder: String },
    #[snafu(display("leadership lost: Lease {lease} has no holder (released or deleted)"))]
    Vacated { lease: String },
    #[snafu(display(
        "leadership lost: Lease {lease} not renewed for {seconds} s (renew deadline {deadline} s); stopping before a standby may take over"
    ))]
    NotRenewed {
        lease: String,
        seconds: u64,
        deadline: u64,
    },
    #[snafu(display("leadership lost: the lease manager of {lease} stopped"))]
    ManagerStopped { lease: String },
}

/// The leader's view of its own term: the last renewal it has seen, and who holds the
/// Lease. Pure: fed with what the watch shows and the time.
#[derive(Debug, Clone)]
pub struct Tenure {
    lease: String,
    identity: String,
    renew_deadline: Duration,
    last_renewal: SystemTime,
}

impl Tenure {
    /// A term that starts at `acquired`.
    pub fn new(config: &LeaseConfig, acquired: SystemTime) -> Self {
        Self {
            lease: format!("{}/{}", config.namespace, config.name),
            identity: config.identity.clone(),
            renew_deadline: Duration::from_secs(config.renew_deadline),
            last_renewal: acquired,
        }
    }

    /// Takes in the Lease as the watch shows it (`None`: deleted).
    pub fn observe(&mut self, spec: Option<&LeaseSpec>) -> Result<(), Lost> {
        let holder = spec.and_then(|s| s.holder_identity.as_deref());
        match holder {
            None | Some("") => VacatedSnafu {
                lease: self.lease.clone(),
            }
            .fail(),
            Some(h) if h != self.identity => TakenOverSnafu {
                lease: self.lease.clone(),
                holder: h.to_owned(),
            }
            .fail(),
            Some(_) => {
                if let Some(renewed) = spec.and_then(|s| s.renew_time.as_ref()) {
                    let renewed = SystemTime::from(renewed.0);
                    self.last_renewal = self.last_renewal.max(renewed);
                }
                Ok(())
            }
        }
    }

    /// Fails once the last renewal seen is older than the renew deadline at `now`.
    pub fn check(&self, now: SystemTime) -> Result<(), Lost> {
        let since = now.duration_since(self.last_renewal).unwrap_or_default();
        snafu::ensure!(
            since <= self.renew_deadline,
            NotRenewedSnafu {
                lease: self.lease.clone(),
                seconds: since.as_secs(),
                deadline: self.renew_deadline.as_secs(),
            }
        );
        Ok(())
    }
}

/// Runs the crate's acquire-and-renew step (`LeaseManager::changed`) in a task of our own,
/// publishing whether this process holds the Lease. A failed step is retried every
/// `retry_period`, as client-go does. (The crate's own `watch()` loop backs off 1, 2, 4 ... up
/// to 30 s after failures, so an API server restart of a few seconds pushed the next renewal
/// past the renew deadline and ended the term for nothing; see docs/reliability.md.)
/// Dropping every receiver releases the Lease and ends the task, returning the manager.
fn renew(
    manager: LeaseManager,
    retry_period: Duration,
) -> (
    watch::Receiver<bool>,
    JoinHandle<kube_lease_manager::Result<LeaseManager>>,
) {
    let (sender, receiver) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                biased;
                () = sender.closed() => break,
                step = manager.changed() => match step {
                    Ok(holder) => {
                        if sender.send(holder).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, retry_in = ?retry_period, "acquiring or renewing the leader Lease failed");
                        tokio::select! {
                            () = sender.closed() => break,
                            () = tokio::time::sleep(retry_period) => {}
                        }
                    }
                },
            }
        }
        manager.release().await.map(|()| manager)
    });
    (receiver, task)
}

/// The Lease could not be used at all.
#[derive(Debug, Snafu)]
pub enum StartError {
    #[snafu(display(
        "cannot use Lease {lease} for leader election: {source}. Check the operator's RBAC for leases in that namespace (deploy/rbac.yaml)"
    ))]
    Manager {
        lease: String,
        source: kube_lease_manager::LeaseManagerError,
    },
}

/// One process's part in the election.
pub struct Elector {
    client: Client,
    config: LeaseConfig,
    leader: watch::Receiver<bool>,
    task: JoinHandle<kube_lease_manager::Result<LeaseManager>>,
}

impl Elector {
    /// Makes sure the Lease exists (creates it when missing) and starts competing for it.
    pub async fn start(client: Client, config: LeaseConfig) -> Result<Self, StartError> {
        let lease = format!("{}/{}", config.namespace, config.name);
        let manager = LeaseManagerBuilder::new(client.clone(), &config.name)
            .with_namespace(&config.namespace)
            .with_identity(&config.identity)
            .with_duration(config.duration)
            // The crate renews `grace` seconds before expiry: once per retry period.
            .with_grace(config.duration - config.retry_period)
            .with_field_manager(format!("rustfs-operator-lease/{}", config.identity))
            .build()
            .await
            .context(ManagerSnafu {
                lease: lease.clone(),
            })?;
        info!(%lease, identity = %config.identity, "competing for the leader Lease");
        let (leader, task) = renew(manager, Duration::from_secs(config.retry_period));
        Ok(Self {
            client,
            config,
            leader,
            task,
        })
    }

    pub fn config(&self) -> &LeaseConfig {
        &self.config
    }

    /// Resolves once this process holds the Lease.
    pub async fn acquired(&mut self) -> Result<(), Lost> {
        let stopped = self.leader.wait_for(|l| *l).await.is_err();
        if stopped {
            return ManagerStoppedSnafu {
                lease: self.lease(),
            }
            .fail();
        }
        Ok(())
    }

    fn lease(&self) -> String {
        format!("{}/{}", self.config.namespace, self.config.name)
    }

    /// Resolves when this process, the leader, must stop acting as one: the crate says so,
    /// the Lease shows another holder or none, or no renewal was seen within the deadline.
    pub async fn lost(&mut self) -> Lost {
        let mut tenure = Tenure::new(&self.config, SystemTime::now());
        let api: Api<Lease> = Api::namespaced(self.client.clone(), &self.config.namespace);
        let fields = format!("metadata.name={}", self.config.name);
        let mut events = watcher(api, watcher::Config::default().fields(&fields))
            .backoff(crate::watch::WatchBackoff::default())
            .boxed();
        let mut tick = tokio::time::interval(Duration::from_secs(self.config.retry_period));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                changed = self.leader.changed() => {
                    if changed.is_err() {
                        return Lost::ManagerStopped { lease: self.lease() };
                    }
                    if !*self.leader.borrow_and_update() {
                        // The crate saw another holder; the watch will say which.
                        return Lost::Vacated { lease: self.lease() };
                    }
                }
                event = events.next() => match event {
                    Some(Ok(watcher::Event::Apply(l) | watcher::Event::InitApply(l))) => {
                        if let Err(lost) = tenure.observe(l.spec.as_ref()) {
                            return lost;
                        }
                    }
                    Some(Ok(watcher::Event::Delete(_))) => {
                        if let Err(lost) = tenure.observe(None) {
                            return lost;
                        }
                    }
                    Some(Ok(watcher::Event::Init | watcher::Event::InitDone)) => {}
                    // The deadline decides: a watch that cannot reach the API server shows
                    // no renewals.
                    Some(Err(e)) => warn!(error = %e, "watching the leader Lease"),
                    None => return Lost::ManagerStopped { lease: self.lease() },
                },
                _ = tick.tick() => {
                    if let Err(lost) = tenure.check(SystemTime::now()) {
                        return lost;
                    }
                }
            }
        }
    }

    /// Gives the Lease up (when held) so a standby need not wait for it to expire, and stops
    /// the manager. Waits at most five seconds.
    pub async fn release(self) {
        let Elector { leader, task, .. } = self;
        // Closing the channel makes the renewal task release the Lease and end.
        drop(leader);
        match tokio::time::timeout(Duration::from_secs(5), task).await {
            Ok(Ok(Ok(_))) => info!("leader Lease released"),
            Ok(Ok(Err(e))) => warn!(error = %e, "releasing the leader Lease"),
            Ok(Err(e)) => warn!(error = %e, "the lease manager task failed"),
            Err(_) => warn!("releasing the leader Lease took over 5 s; it will expire instead"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        leader: LeaderArgs,
    }

    /// Parses flags only: the environment fallbacks are tested on the binary (tests/cli.rs),
    /// since changing this process's environment would race the other tests.
    fn parse(args: &[&str]) -> Result<LeaderArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("server").chain(args.iter().copied())).map(|c| c.leader)
    }

    #[test]
    fn flags_parse_with_client_go_defaults() {
        let defaults = parse(&[]).unwrap();
        assert!(defaults.leader_elect, "on by default");
        assert_eq!(
            (
                defaults.lease_duration,
                defaults.lease_renew_deadline,
                defaults.lease_retry_period
            ),
            (15, 10, 2)
        );
        let lease = defaults
            .lease(None, "kube-ns", "me".into())
            .unwrap()
            .unwrap();
        assert_eq!(
            (lease.name.as_str(), lease.namespace.as_str()),
            ("rustfs-operator", "kube-ns")
        );
        let one_ns = defaults
            .lease(Some("team-a"), "d", "me".into())
            .unwrap()
            .unwrap();
        assert_eq!(one_ns.name, "rustfs-operator-team-a");

        let off = parse(&["--leader-elect=false"]).unwrap();
        assert_eq!(off.lease(None, "d", "me".into()), Ok(None));

        let flags = parse(&[
            "--leader-elect=true",
            "--lease-name",
            "ops",
            "--lease-namespace",
            "ops-ns",
            "--lease-duration",
            "8",
            "--lease-renew-deadline",
            "6",
            "--lease-retry-period",
            "1",
        ])
        .unwrap();
        let lease = flags
            .lease(Some("team-a"), "d", "me".into())
            .unwrap()
            .unwrap();
        assert_eq!(
            lease,
            LeaseConfig {
                name: "ops".into(),
                namespace: "ops-ns".into(),
                identity: "me".into(),
                duration: 8,
                renew_deadline: 6,
                retry_period: 1,
            }
        );

        assert!(parse(&["--leader-elect=maybe"]).is_err());
        assert!(parse(&["--lease-duration", "-1"]).is_err());
    }

    fn args(duration: u64, renew_deadline: u64, retry_period: u64) -> LeaderArgs {
        LeaderArgs {
            leader_elect: true,
            lease_name: None,
            lease_namespace: Some(String::new()),
            lease_duration: duration,
            lease_renew_deadline: renew_deadline,
            lease_retry_period: retry_period,
        }
    }

    #[test]
    fn timings_that_cannot_work_are_refused_with_the_flags_named() {
        let err = args(10, 10, 2).lease(None, "d", "me".into()).unwrap_err();
        assert_eq!(
            err,
            ConfigError::DeadlineNotBelowDuration {
                renew_deadline: 10,
                duration: 10
            }
        );
        assert!(err.to_string().contains("--lease-renew-deadline"), "{err}");
        for (retry, deadline) in [(0, 10), (10, 10), (11, 10)] {
            let err = args(15, deadline, retry)
                .lease(None, "d", "me".into())
                .unwrap_err();
            assert!(
                matches!(err, ConfigError::RetryNotBelowDeadline { .. }),
                "{err}"
            );
        }
        // An empty POD_NAMESPACE falls back to the client's namespace.
        let ok = args(3, 2, 1)
            .lease(None, "d", "me".into())
            .unwrap()
            .unwrap();
        assert_eq!(ok.namespace, "d");
    }

    #[test]
    fn identity_is_the_pod_or_host_name_plus_a_random_suffix() {
        let a = identity(Some("rustfs-operator-7d9f-abcde"), Some("host"));
        let b = identity(Some("rustfs-operator-7d9f-abcde"), Some("host"));
        assert!(a.starts_with("rustfs-operator-7d9f-abcde-"), "{a}");
        assert_eq!(a.len(), "rustfs-operator-7d9f-abcde-".len() + 8, "{a}");
        assert_ne!(a, b, "two processes never share an identity");
        assert!(identity(None, Some("laptop")).starts_with("laptop-"));
        assert!(identity(Some(" "), None).starts_with("rustfs-operator-"));
    }

    fn config() -> LeaseConfig {
        LeaseConfig {
            name: "rustfs-operator".into(),
            namespace: "rustfs-system".into(),
            identity: "me-1".into(),
            duration: 15,
            renew_deadline: 10,
            retry_period: 2,
        }
    }

    fn spec(holder: Option<&str>, renewed: SystemTime) -> LeaseSpec {
        LeaseSpec {
            holder_identity: holder.map(str::to_owned),
            renew_time: Some(MicroTime(renewed.try_into().unwrap())),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn the_leader_stops_when_renewals_stop_past_the_deadline() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut tenure = Tenure::new(&config(), t0);
        assert_eq!(tenure.check(at(10)), Ok(()), "exactly the deadline is fine");
        assert!(matches!(
            tenure.check(at(11)),
            Err(Lost::NotRenewed {
                seconds: 11,
                deadline: 10,
                ..
            })
        ));
        // Each renewal seen moves the deadline; an older one never moves it back.
        tenure.observe(Some(&spec(Some("me-1"), at(8)))).unwrap();
        assert_eq!(tenure.check(at(18)), Ok(()));
        tenure.observe(Some(&spec(Some("me-1"), at(2)))).unwrap();
        assert_eq!(tenure.check(at(18)), Ok(()));
        assert!(tenure.check(at(19)).is_err());
    }

    #[test]
    fn the_leader_stops_at_once_when_another_holds_the_lease_or_none_does() {
        let now = SystemTime::now();
        let mut tenure = Tenure::new(&config(), now);
        let taken = tenure
            .observe(Some(&spec(Some("other-2"), now)))
            .unwrap_err();
        assert_eq!(
            taken,
            Lost::TakenOver {
                lease: "rustfs-system/rustfs-operator".into(),
                holder: "other-2".into()
            }
        );
        assert!(taken.to_string().contains("other-2"), "{taken}");
        assert!(matches!(
            tenure.observe(Some(&spec(None, now))),
            Err(Lost::Vacated { .. })
        ));
        assert!(matches!(tenure.observe(None), Err(Lost::Vacated { .. })));
        assert!(matches!(
            tenure.observe(Some(&spec(Some(""), now))),
            Err(Lost::Vacated { .. })
        ));
    }
}
