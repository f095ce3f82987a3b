// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! An S3 checker for the real-node tier: writes objects with known checksums through a
//! Tenant's `<tenant>-io` Service and reads them back, counting what is missing or corrupt.
//! Uses the `rust-s3` crate (path-style addressing, SigV4), never hand-made requests.

use std::time::Duration;

use s3::creds::Credentials;
use s3::{Bucket, BucketConfiguration, Region};

/// A bucket on one endpoint with one key pair.
pub struct S3 {
    bucket: Box<Bucket>,
    region: Region,
    credentials: Credentials,
    retried: std::sync::atomic::AtomicUsize,
}

/// SHA-256 of `data`, hex.
pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Deterministic content of object `i`: sizes from 1 byte to ~1 MiB, every object different.
/// (No 0-byte objects: RustFS 1.0.1 refuses a 0-byte PUT without Content-Length, a known
/// upstream issue; REAL-NODE.md.)
pub fn object_body(i: usize) -> Vec<u8> {
    let len = match i % 4 {
        0 => 1 + i,
        1 => 4096 + i,
        2 => 64 * 1024 + i,
        _ => 1024 * 1024 + i,
    };
    let mut state = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

impl S3 {
    /// A client for `bucket` at `endpoint` (`http://host:port`).
    pub fn new(endpoint: &str, access_key: &str, secret_key: &str, bucket: &str) -> S3 {
        let region = Region::Custom {
            region: "us-east-1".into(),
            endpoint: endpoint.into(),
        };
        let credentials = Credentials::new(Some(access_key), Some(secret_key), None, None, None)
            .expect("static credentials");
        let mut bucket = Bucket::new(bucket, region.clone(), credentials.clone())
            .expect("bucket handle")
            .with_path_style();
        bucket.set_request_timeout(Some(Duration::from_secs(20)));
        S3 {
            bucket,
            region,
            credentials,
            retried: Default::default(),
        }
    }

    /// The same client with another per-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> S3 {
        self.bucket.set_request_timeout(Some(timeout));
        self
    }

    /// Creates the bucket; Err with the HTTP status and body when refused.
    pub async fn create_bucket(&self) -> Result<(), String> {
        let r = Bucket::create_with_path_style(
            &self.bucket.name,
            self.region.clone(),
            self.credentials.clone(),
            BucketConfiguration::default(),
        )
        .await
        .map_err(|e| e.to_string())?;
        if (200..300).contains(&r.response_code) {
            Ok(())
        } else {
            Err(format!("{} {}", r.response_code, r.response_text))
        }
    }

    /// PUT; returns the HTTP status.
    pub async fn put(&self, key: &str, body: &[u8]) -> Result<u16, String> {
        self.put_with_body(key, body)
            .await
            .map(|(status, _)| status)
    }

    /// PUT; returns the HTTP status and the response body (RustFS's error XML on failure).
    pub async fn put_with_body(&self, key: &str, body: &[u8]) -> Result<(u16, String), String> {
        self.bucket
            .put_object(key, body)
            .await
            .map(|r| {
                (
                    r.status_code(),
                    String::from_utf8_lossy(r.bytes()).into_owned(),
                )
            })
            .map_err(|e| e.to_string())
    }

    /// GET; returns (status, body).
    pub async fn get(&self, key: &str) -> Result<(u16, Vec<u8>), String> {
        self.bucket
            .get_object(key)
            .await
            .map(|r| (r.status_code(), r.bytes().to_vec()))
            .map_err(|e| e.to_string())
    }

    /// PUTs objects `range` under `prefix`; returns their checksums. A 503 (RustFS's "slow
    /// down / try again", which S3 clients retry) is retried up to 10 times a second apart and
    /// counted in [`S3::retried`]; any other failure panics with RustFS's answer.
    pub async fn put_objects(
        &self,
        prefix: &str,
        range: std::ops::Range<usize>,
    ) -> Vec<(String, String)> {
        let mut written = Vec::new();
        for i in range {
            let key = format!("{prefix}/obj-{i:04}");
            let body = object_body(i);
            let mut attempt = 0;
            loop {
                let (status, answer) = self
                    .put_with_body(&key, &body)
                    .await
                    .unwrap_or_else(|e| panic!("PUT {key}: {e}"));
                if status == 503 && attempt < 10 {
                    attempt += 1;
                    self.retried
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    eprintln!("PUT {key}: 503, retrying ({attempt}): {answer}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                assert_eq!(status, 200, "PUT {key} answered {status}: {answer}");
                break;
            }
            written.push((key, sha256_hex(&body)));
        }
        written
    }

    /// How many PUTs were answered 503 and retried so far.
    pub fn retried(&self) -> usize {
        self.retried.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// GETs every object; returns the keys that were missing, failed or came back different.
    pub async fn verify(&self, objects: &[(String, String)]) -> Vec<String> {
        let mut bad = Vec::new();
        for (key, sum) in objects {
            match self.get(key).await {
                Ok((200, body)) if &sha256_hex(&body) == sum => {}
                Ok((status, body)) => bad.push(format!("{key}: {status}, {} bytes", body.len())),
                Err(e) => bad.push(format!("{key}: {e}")),
            }
        }
        bad
    }
}
