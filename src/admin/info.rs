// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! `GET /rustfs/admin/v3/info`: the fields the operator reads, and what it makes of them
//! (pure).
//!
//! RustFS 1.0.1 nests the MinIO-style `InfoMessage` under `"info"`. A drive is online when
//! its `state` is `ok`; any other state (`offline`, `unknown`, `unformatted`, an I/O error)
//! is offline. The `backend` counters are not used: they disagree with the drives' own
//! states (a drive with an I/O error still counts as online there).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::api::v1alpha1::{OfflineDrive, StoragePoolStatus, StorageQuorum, StorageStatus};

/// The route.
pub const ROUTE: &str = "/info";
/// At most this many offline drives are listed in the status and in messages.
pub const LISTED_DRIVES: usize = 16;
/// Capacity figures move with every write; they are rewritten only when one moves by this
/// fraction of the raw capacity or more, so an idle Tenant's status stays unwritten.
pub const CAPACITY_STEP: f64 = 0.01;

/// One storage check of a Tenant: when, and what RustFS said.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageCheck {
    pub checked_at: DateTime<Utc>,
    pub report: StorageReport,
}

/// The answer of [`ROUTE`].
#[derive(Clone, Debug, Default, Deserialize)]
pub struct InfoResponse {
    #[serde(default)]
    pub info: InfoMessage,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct InfoMessage {
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub backend: Backend,
    #[serde(default)]
    pub servers: Vec<Server>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backend {
    #[serde(default, rename = "standardSCParity")]
    pub standard_sc_parity: Option<u32>,
    /// Sets per pool, by pool index.
    #[serde(default)]
    pub total_sets: Vec<u32>,
    /// Drives per set, by pool index.
    #[serde(default)]
    pub total_drives_per_set: Vec<u32>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Server {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub drives: Vec<Drive>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Drive {
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub healing: bool,
    #[serde(default)]
    pub totalspace: u64,
    #[serde(default)]
    pub usedspace: u64,
    #[serde(default)]
    pub availspace: u64,
    #[serde(default)]
    pub pool_index: Option<i64>,
    #[serde(default)]
    pub set_index: Option<i64>,
}

impl Drive {
    pub fn is_online(&self) -> bool {
        self.state == "ok"
    }

    /// `server` (the pod: the first label of the host) and `path` of the drive's endpoint
    /// `http(s)://host:port/path`.
    fn place(&self) -> (String, String) {
        let rest = self
            .endpoint
            .split_once("://")
            .map_or(self.endpoint.as_str(), |(_, r)| r);
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _port)| host);
        // A pod's name is the first label of its headless-Service name; an address stays whole.
        let server = if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
            host
        } else {
            host.split('.').next().unwrap_or_default()
        };
        (server.to_owned(), path.to_owned())
    }
}

/// The default parity RustFS picks for a set of `drives` (MinIO's rule), for an answer that
/// leaves `standardSCParity` out.
fn default_parity(drives: u32) -> u32 {
    match drives {
        0 | 1 => 0,
        2 | 3 => 1,
        4 | 5 => 2,
        6 | 7 => 3,
        _ => 4,
    }
}

/// One erasure set's drives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SetCount {
    online: u32,
}

/// What the operator makes of one `/info` answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageReport {
    pub online: u32,
    pub offline: u32,
    pub healing: u32,
    pub raw_total: u64,
    pub raw_used: u64,
    pub raw_available: u64,
    pub parity: Option<u32>,
    pub pools: Vec<StoragePoolStatus>,
    /// Every offline drive, in pool, server, path order.
    pub offline_drives: Vec<OfflineDrive>,
    pub quorum: StorageQuorum,
    /// Sets below quorum, e.g. `pool-0 set 1: 3 of 8 drives online, read quorum lost
    /// (needs 4)`.
    pub quorum_detail: Vec<String>,
}

impl StorageReport {
    /// Summarizes an answer. `pool_names[i]` names RustFS's pool `i` (the i-th entry of
    /// `RUSTFS_VOLUMES`); an index past the list is shown as `pool #i`.
    pub fn from_info(info: &InfoMessage, pool_names: &[String]) -> Self {
        let name = |index: usize| {
            pool_names
                .get(index)
                .cloned()
                .unwrap_or_else(|| format!("pool #{index}"))
        };
        let mut report = StorageReport {
            parity: info.backend.standard_sc_parity,
            ..StorageReport::default()
        };
        let mut sets: BTreeMap<(usize, usize), SetCount> = BTreeMap::new();
        let mut pools: BTreeMap<usize, StoragePoolStatus> = BTreeMap::new();
        for (index, (&set_count, &per_set)) in info
            .backend
            .total_sets
            .iter()
            .zip(&info.backend.total_drives_per_set)
            .enumerate()
        {
            pools.insert(
                index,
                StoragePoolStatus {
                    name: name(index),
                    sets: set_count as i32,
                    drives_per_set: per_set as i32,
                    ..StoragePoolStatus::default()
                },
            );
            for set in 0..set_count as usize {
                sets.insert((index, set), SetCount::default());
            }
        }
        let mut offline = Vec::new();
        for drive in info.servers.iter().flat_map(|s| &s.drives) {
            let pool_index = drive.pool_index.unwrap_or(0).max(0) as usize;
            let pool = pools
                .entry(pool_index)
                .or_insert_with(|| StoragePoolStatus {
                    name: name(pool_index),
                    ..StoragePoolStatus::default()
                });
            if drive.is_online() {
                report.online += 1;
                pool.drives_online += 1;
                report.raw_total += drive.totalspace;
                report.raw_used += drive.usedspace;
                report.raw_available += drive.availspace;
                if let Some(set) = drive.set_index {
                    sets.entry((pool_index, set.max(0) as usize))
                        .or_default()
                        .online += 1;
                }
                if drive.healing {
                    report.healing += 1;
                    pool.drives_healing += 1;
                }
            } else {
                report.offline += 1;
                pool.drives_offline += 1;
                let (server, path) = drive.place();
                offline.push(OfflineDrive {
                    pool: pool.name.clone(),
                    server,
                    path,
                    state: drive.state.clone(),
                });
            }
        }
        offline.sort_by(|a, b| (&a.pool, &a.server, &a.path).cmp(&(&b.pool, &b.server, &b.path)));
        report.offline_drives = offline;
        report.pools = pools.into_values().collect();

        // Quorum, set by set: reads need the data drives, writes one more when data and
        // parity are equal (RustFS's rule, as MinIO's).
        for (&(pool_index, set), count) in &sets {
            let per_set = info
                .backend
                .total_drives_per_set
                .get(pool_index)
                .copied()
                .unwrap_or(0);
            if per_set == 0 {
                continue;
            }
            let parity = report.parity.unwrap_or_else(|| default_parity(per_set));
            let data = per_set.saturating_sub(parity);
            let write = if data == parity { data + 1 } else { data };
            let lost = if count.online < data {
                Some((StorageQuorum::ReadLost, "read", data))
            } else if count.online < write {
                Some((StorageQuorum::WriteLost, "write", write))
            } else {
                None
            };
            if let Some((quorum, kind, needs)) = lost {
                if quorum > report.quorum {
                    report.quorum = quorum;
                }
                report.quorum_detail.push(format!(
                    "{} set {set}: {} of {per_set} drives online, {kind} quorum lost (needs {needs})",
                    name(pool_index),
                    count.online
                ));
            }
        }
        report
    }

    /// The machine's view: quorum first, then offline drives.
    pub fn to_machine(&self) -> machine::Storage {
        if self.quorum != StorageQuorum::Healthy {
            return machine::Storage::QuorumLost {
                detail: self.quorum_detail.join("; "),
            };
        }
        if self.offline == 0 {
            return machine::Storage::Healthy;
        }
        machine::Storage::DrivesOffline {
            detail: self.offline_summary(),
        }
    }

    /// `pool-0: 2 of 8 drives offline (t-pool-0-3:/data/rustfs0, …)`, per pool.
    pub fn offline_summary(&self) -> String {
        let mut parts = Vec::new();
        for pool in self.pools.iter().filter(|p| p.drives_offline > 0) {
            let drives: Vec<String> = self
                .offline_drives
                .iter()
                .filter(|d| d.pool == pool.name)
                .map(|d| format!("{}:{}", d.server, d.path))
                .collect();
            let shown = drives.len().min(4);
            let more = match drives.len() - shown {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            parts.push(format!(
                "{}: {} of {} drives offline ({}{more})",
                pool.name,
                pool.drives_offline,
                pool.drives_online + pool.drives_offline,
                drives[..shown].join(", ")
            ));
        }
        parts.join("; ")
    }

    /// `status.storage` for this report, checked at `now`. When nothing but the capacity
    /// moved, and it moved less than [`CAPACITY_STEP`], the previous status is kept as it is
    /// (`lastChecked` included): an idle Tenant gets no status write.
    pub fn to_status(&self, previous: Option<&StorageStatus>, now: DateTime<Utc>) -> StorageStatus {
        let total = self.online + self.offline;
        let mut offline_drives = self.offline_drives.clone();
        offline_drives.truncate(LISTED_DRIVES);
        let fresh = StorageStatus {
            drives: format!("{}/{}", self.online, total),
            drives_online: self.online as i32,
            drives_offline: self.offline as i32,
            drives_healing: self.healing as i32,
            raw_capacity_bytes: self.raw_total as i64,
            raw_used_bytes: self.raw_used as i64,
            raw_available_bytes: self.raw_available as i64,
            parity: self.parity.map(|p| p as i32),
            pools: self.pools.clone(),
            offline_drives,
            quorum: self.quorum,
            last_checked: Some(now),
        };
        match previous {
            Some(prev) if same_but_capacity(prev, &fresh) && capacity_close(prev, &fresh) => {
                prev.clone()
            }
            _ => fresh,
        }
    }
}

fn same_but_capacity(a: &StorageStatus, b: &StorageStatus) -> bool {
    let strip = |s: &StorageStatus| StorageStatus {
        raw_capacity_bytes: 0,
        raw_used_bytes: 0,
        raw_available_bytes: 0,
        last_checked: None,
        ..s.clone()
    };
    strip(a) == strip(b)
}

fn capacity_close(a: &StorageStatus, b: &StorageStatus) -> bool {
    let scale = a.raw_capacity_bytes.max(b.raw_capacity_bytes).max(1) as f64;
    let close = |x: i64, y: i64| ((x - y).abs() as f64) < scale * CAPACITY_STEP;
    close(a.raw_capacity_bytes, b.raw_capacity_bytes)
        && close(a.raw_used_bytes, b.raw_used_bytes)
        && close(a.raw_available_bytes, b.raw_available_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4-server, 2-drives-each pool of one set of 8, as RustFS 1.0.1 answered on this VM
    /// (trimmed to the fields read), with `down` servers unreachable.
    fn answer(down: &[usize], healing: &[usize]) -> InfoMessage {
        let servers = (0..4)
            .map(|s| {
                let host = format!("t-pool-0-{s}.t-hl.ns.svc.cluster.local:9000");
                let drives = (0..2)
                    .map(|d| {
                        let up = !down.contains(&s);
                        Drive {
                            endpoint: format!("http://{host}/data/rustfs{d}"),
                            state: if up { "ok" } else { "unknown" }.into(),
                            healing: healing.contains(&(s * 2 + d)),
                            totalspace: if up { 1_000 } else { 0 },
                            usedspace: if up { 400 } else { 0 },
                            availspace: if up { 600 } else { 0 },
                            pool_index: Some(0),
                            set_index: Some(0),
                        }
                    })
                    .collect();
                Server {
                    state: if down.contains(&s) {
                        "unknown"
                    } else {
                        "online"
                    }
                    .into(),
                    endpoint: host,
                    drives,
                }
            })
            .collect();
        InfoMessage {
            mode: Some("online".into()),
            backend: Backend {
                standard_sc_parity: Some(4),
                total_sets: vec![1],
                total_drives_per_set: vec![8],
            },
            servers,
        }
    }

    fn names() -> Vec<String> {
        vec!["pool-0".into()]
    }

    #[test]
    fn the_recorded_answer_of_rustfs_1_0_1_decodes() {
        // Keys and nesting exactly as the server sent them (values shortened).
        let raw = r#"{"info":{"mode":"online","deploymentID":"3eb8","backend":{"backendType":"Erasure",
            "onlineDisks":8,"offlineDisks":0,"standardSCParity":4,"rrSCParity":1,"totalSets":[1],
            "totalDrivesPerSet":[8]},"servers":[{"state":"online","endpoint":"127.0.0.1:19002",
            "drives":[{"endpoint":"http://127.0.0.1:19002/tmp/rfs/n2/a","state":"ok","healing":false,
            "totalspace":97793294336,"usedspace":61956784128,"availspace":35836510208,
            "pool_index":0,"set_index":0,"disk_index":2}]},{"state":"unknown","endpoint":"127.0.0.1:19004",
            "drives":[{"endpoint":"http://127.0.0.1:19004/tmp/rfs/n4/a","state":"unknown","healing":false,
            "totalspace":0,"usedspace":0,"availspace":0,"pool_index":0,"set_index":0}]}]},
            "admin_discovery":{},"bitrotSelftest":null}"#;
        let info: InfoResponse = serde_json::from_str(raw).unwrap();
        let report = StorageReport::from_info(&info.info, &names());
        assert_eq!((report.online, report.offline), (1, 1));
        assert_eq!(report.raw_total, 97_793_294_336);
        assert_eq!(report.offline_drives[0].server, "127.0.0.1");
        assert_eq!(report.offline_drives[0].path, "/tmp/rfs/n4/a");
        assert_eq!(report.pools[0].sets, 1);
        assert_eq!(report.pools[0].drives_per_set, 8);
    }

    #[test]
    fn a_healthy_cluster() {
        let r = StorageReport::from_info(&answer(&[], &[]), &names());
        assert_eq!((r.online, r.offline, r.healing), (8, 0, 0));
        assert_eq!(r.raw_total, 8_000);
        assert_eq!(r.quorum, StorageQuorum::Healthy);
        assert_eq!(r.to_machine(), machine::Storage::Healthy);
    }

    #[test]
    fn offline_drives_are_named_by_pool_server_and_path() {
        let r = StorageReport::from_info(&answer(&[3], &[]), &names());
        assert_eq!((r.online, r.offline), (6, 2));
        assert_eq!(
            r.offline_summary(),
            "pool-0: 2 of 8 drives offline (t-pool-0-3:/data/rustfs0, t-pool-0-3:/data/rustfs1)"
        );
        // 6 of 8 with parity 4: data 4, both quorums held.
        assert_eq!(r.quorum, StorageQuorum::Healthy);
        assert!(matches!(
            r.to_machine(),
            machine::Storage::DrivesOffline { .. }
        ));
        assert_eq!(r.offline_drives[0].state, "unknown");
    }

    #[test]
    fn quorum_is_judged_per_set_with_the_reported_parity() {
        // 4 of 8 online, parity 4: data 4 = parity, so reads hold and writes need 5.
        let r = StorageReport::from_info(&answer(&[2, 3], &[]), &names());
        assert_eq!(r.quorum, StorageQuorum::WriteLost);
        assert_eq!(
            r.quorum_detail,
            ["pool-0 set 0: 4 of 8 drives online, write quorum lost (needs 5)"]
        );
        // 2 of 8: reads are lost too.
        let r = StorageReport::from_info(&answer(&[1, 2, 3], &[]), &names());
        assert_eq!(r.quorum, StorageQuorum::ReadLost);
        assert!(
            matches!(r.to_machine(), machine::Storage::QuorumLost { detail } if detail.contains("read quorum lost (needs 4)"))
        );
    }

    #[test]
    fn healing_drives_are_online_and_counted() {
        let r = StorageReport::from_info(&answer(&[], &[0, 5]), &names());
        assert_eq!((r.online, r.healing), (8, 2));
        assert_eq!(r.pools[0].drives_healing, 2);
    }

    #[test]
    fn capacity_jitter_does_not_rewrite_the_status() {
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap();
        let t1 = DateTime::from_timestamp(1_060, 0).unwrap();
        let mut r = StorageReport::from_info(&answer(&[], &[]), &names());
        let first = r.to_status(None, t0);
        assert_eq!(first.drives, "8/8");
        // Used space moves by 0.5% of the raw capacity: the stored status stays as it is.
        r.raw_used += 40;
        r.raw_available -= 40;
        assert_eq!(r.to_status(Some(&first), t1), first);
        // By 1%: rewritten, with the new check time.
        r.raw_used += 40;
        r.raw_available -= 40;
        let second = r.to_status(Some(&first), t1);
        assert_eq!(second.raw_used_bytes, 3_280);
        assert_eq!(second.last_checked, Some(t1));
        // A drive going offline is always written.
        let down =
            StorageReport::from_info(&answer(&[3], &[]), &names()).to_status(Some(&first), t1);
        assert_eq!(down.drives, "6/8");
        assert_eq!(down.offline_drives.len(), 2);
    }

    #[test]
    fn unknown_pool_indices_are_still_shown() {
        let mut info = answer(&[3], &[]);
        for d in info.servers.iter_mut().flat_map(|s| s.drives.iter_mut()) {
            d.pool_index = Some(1);
        }
        let r = StorageReport::from_info(&info, &names());
        assert!(r.offline_summary().starts_with("pool #1: 2 of 8"));
    }
}
