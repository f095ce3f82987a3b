// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Pool decommission routes: `GET /pools/status?pool=`, `POST /pools/decommission?pool=`,
//! `POST /pools/cancel?pool=`. A pool is named by its exact `RUSTFS_VOLUMES` entry.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{AdminClient, Error, RootCredentials};
use crate::api::v1alpha1::{DecommissionState, DecommissionStatus, Pool, Tenant};
use crate::resources::{env, names};

/// The answer of `GET /pools/status`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PoolStatusAnswer {
    #[serde(default)]
    pub pool: PoolAnswer,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolAnswer {
    #[serde(default)]
    pub cmdline: String,
    /// `none`, `queued`, `running`, `complete`, `failed` or `canceled`.
    #[serde(default)]
    pub decommission_status: String,
    #[serde(default)]
    pub decommission_info: Option<DecommissionInfo>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecommissionInfo {
    #[serde(default)]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub objects_decommissioned: i64,
    #[serde(default)]
    pub bytes_decommissioned: i64,
    #[serde(default)]
    pub objects_decommissioned_failed: i64,
    #[serde(default)]
    pub bytes_decommissioned_failed: i64,
}

impl PoolAnswer {
    /// The status the operator shows; `None` when RustFS runs no decommission of the pool.
    pub fn to_status(&self) -> Option<DecommissionStatus> {
        let state = match self.decommission_status.as_str() {
            "queued" => DecommissionState::Queued,
            "running" => DecommissionState::Running,
            "complete" => DecommissionState::Complete,
            "failed" => DecommissionState::Failed,
            "canceled" => DecommissionState::Canceled,
            _ => return None,
        };
        let info = self.decommission_info.clone().unwrap_or_default();
        Some(DecommissionStatus {
            state,
            objects_moved: info.objects_decommissioned,
            bytes_moved: info.bytes_decommissioned,
            objects_failed: info.objects_decommissioned_failed,
            bytes_failed: info.bytes_decommissioned_failed,
            start_time: info.start_time,
        })
    }
}

/// `120 objects (3.1 MiB) moved, 0 failed`.
pub fn progress(status: &DecommissionStatus) -> String {
    format!(
        "{} objects ({:.1} MiB) moved, {} failed",
        status.objects_moved,
        status.bytes_moved as f64 / (1024.0 * 1024.0),
        status.objects_failed
    )
}

/// The pool's `RUSTFS_VOLUMES` entry: how RustFS names the pool.
pub fn argument(tenant: &Tenant, pool: &Pool, cluster_domain: &str) -> String {
    let name = tenant.metadata.name.as_deref().unwrap_or_default();
    let ns = tenant.metadata.namespace.as_deref().unwrap_or("default");
    let scheme = if names::tls_secrets(name, &tenant.spec).is_some() {
        "https"
    } else {
        "http"
    };
    env::rustfs_volumes(name, ns, cluster_domain, std::slice::from_ref(pool), scheme)
}

/// RFC 3986 percent-encoding of a query value: everything but the unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn status(
    client: &AdminClient,
    credentials: &RootCredentials,
    argument: &str,
) -> Result<PoolStatusAnswer, Error> {
    client
        .get_json(
            credentials,
            &format!("/pools/status?pool={}", encode(argument)),
        )
        .await
}

pub async fn start(
    client: &AdminClient,
    credentials: &RootCredentials,
    argument: &str,
) -> Result<(), Error> {
    client
        .post(
            credentials,
            &format!("/pools/decommission?pool={}", encode(argument)),
        )
        .await
        .map(drop)
}

pub async fn cancel(
    client: &AdminClient,
    credentials: &RootCredentials,
    argument: &str,
) -> Result<(), Error> {
    client
        .post(
            credentials,
            &format!("/pools/cancel?pool={}", encode(argument)),
        )
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode("http://t-p0-{0...3}.t-hl.ns.svc:9000/data/rustfs{0...1}"),
            "http%3A%2F%2Ft-p0-%7B0...3%7D.t-hl.ns.svc%3A9000%2Fdata%2Frustfs%7B0...1%7D"
        );
    }

    #[test]
    fn the_recorded_answers_of_rustfs_1_0_1_decode() {
        // As RustFS 1.0.1 answered on this VM, while running and when complete (shortened).
        let running = r#"{"admin_discovery":{},"pool":{"cmdline":"/tmp/rfs2/p0/d{1...4}",
            "decommissionInfo":{"bucket":"bkt","bytesDecommissioned":32542,"bytesDecommissionedFailed":0,
            "canceled":false,"complete":false,"failed":false,"objectsDecommissioned":16,
            "objectsDecommissionedFailed":0,"startTime":"2026-12-03T14:56:49.611549711Z"},
            "decommissionStatus":"running","id":0,"status":"decommissioning"}}"#;
        let a: PoolStatusAnswer = serde_json::from_str(running).unwrap();
        let s = a.pool.to_status().unwrap();
        assert_eq!(s.state, DecommissionState::Running);
        assert_eq!((s.objects_moved, s.bytes_moved), (16, 32542));
        assert!(s.start_time.is_some());
        assert_eq!(progress(&s), "16 objects (0.0 MiB) moved, 0 failed");
        let none =
            r#"{"pool":{"cmdline":"x","decommissionInfo":null,"decommissionStatus":"none"}}"#;
        let a: PoolStatusAnswer = serde_json::from_str(none).unwrap();
        assert_eq!(a.pool.to_status(), None);
        let done = r#"{"pool":{"decommissionStatus":"complete","decommissionInfo":{"objectsDecommissioned":33}}}"#;
        let a: PoolStatusAnswer = serde_json::from_str(done).unwrap();
        assert_eq!(
            a.pool.to_status().unwrap().state,
            DecommissionState::Complete
        );
    }
}
