// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The Tenant's root credentials, read when a call needs them and dropped after it.
//!
//! They come from where the pods take them: `spec.credsSecret` (keys `accesskey`,
//! `secretkey`), else `RUSTFS_ACCESS_KEY` / `RUSTFS_SECRET_KEY` in `spec.env` (a literal or a
//! `secretKeyRef`), else RustFS's defaults. Values are trimmed, as RustFS trims them.

use std::fmt;

use k8s_openapi::api::core::v1::{EnvVar, Secret};
use kube::api::Api;
use snafu::Snafu;

use crate::api::v1alpha1::Tenant;
use crate::resources::env::{
    CREDS_ACCESS_KEY, CREDS_SECRET_KEY, RUSTFS_ACCESS_KEY, RUSTFS_SECRET_KEY,
};

/// RustFS's built-in root access key and secret key.
const RUSTFS_DEFAULT: &str = "rustfsadmin";

/// A root access key and secret key. `Debug` prints neither.
#[derive(Clone, PartialEq, Eq)]
pub struct RootCredentials {
    access_key: String,
    secret_key: String,
}

impl RootCredentials {
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        RootCredentials {
            access_key: access_key.into().trim().to_owned(),
            secret_key: secret_key.into().trim().to_owned(),
        }
    }

    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }
}

impl fmt::Debug for RootCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootCredentials { .. }")
    }
}

/// Why the credentials could not be read. Names the Secret and key, never a value.
#[derive(Debug, Snafu)]
pub enum CredentialsError {
    #[snafu(display("Secret {secret} not found"))]
    SecretMissing { secret: String },
    #[snafu(display("Secret {secret} has no usable key {key}"))]
    KeyMissing { secret: String, key: String },
    #[snafu(display("cannot read Secret {secret}: {source}"))]
    Read { secret: String, source: kube::Error },
    #[snafu(display(
        "spec.env sets {variable} from a ConfigMap or field reference, which the operator does not read"
    ))]
    Unreadable { variable: String },
}

/// Where one credential comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    Literal(String),
    SecretKey { secret: String, key: String },
    Unreadable,
}

/// Where both credentials come from, by the pods' own rules.
fn sources(tenant: &Tenant) -> (Source, Source) {
    if let Some(secret) = &tenant.spec.creds_secret {
        let from = |key: &str| Source::SecretKey {
            secret: secret.name.clone(),
            key: key.to_owned(),
        };
        return (from(CREDS_ACCESS_KEY), from(CREDS_SECRET_KEY));
    }
    (
        env_source(&tenant.spec.env, RUSTFS_ACCESS_KEY),
        env_source(&tenant.spec.env, RUSTFS_SECRET_KEY),
    )
}

/// The last entry of `name` wins, as in a pod.
fn env_source(env: &[EnvVar], name: &str) -> Source {
    match env.iter().rev().find(|e| e.name == name) {
        None => Source::Literal(RUSTFS_DEFAULT.to_owned()),
        Some(e) => match (&e.value, &e.value_from) {
            (Some(v), _) => Source::Literal(v.clone()),
            (None, None) => Source::Literal(String::new()),
            (None, Some(from)) => match &from.secret_key_ref {
                Some(r) => Source::SecretKey {
                    secret: r.name.clone(),
                    key: r.key.clone(),
                },
                None => Source::Unreadable,
            },
        },
    }
}

/// Reads the Tenant's root credentials now (one GET per Secret involved).
pub async fn read(
    client: &kube::Client,
    tenant: &Tenant,
) -> Result<RootCredentials, CredentialsError> {
    let ns = tenant.metadata.namespace.as_deref().unwrap_or("default");
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    let (access, secret) = sources(tenant);
    let access = resolve(&api, access, RUSTFS_ACCESS_KEY).await?;
    let secret = resolve(&api, secret, RUSTFS_SECRET_KEY).await?;
    Ok(RootCredentials::new(access, secret))
}

async fn resolve(
    api: &Api<Secret>,
    source: Source,
    variable: &str,
) -> Result<String, CredentialsError> {
    match source {
        Source::Literal(v) => Ok(v),
        Source::Unreadable => UnreadableSnafu { variable }.fail(),
        Source::SecretKey { secret, key } => {
            let found = api
                .get_opt(&secret)
                .await
                .map_err(|source| CredentialsError::Read {
                    secret: secret.clone(),
                    source,
                })?;
            let Some(found) = found else {
                return SecretMissingSnafu { secret }.fail();
            };
            secret_value(&found, &key).ok_or(CredentialsError::KeyMissing { secret, key })
        }
    }
}

/// A key of a Secret as UTF-8 text (from `data`, or `stringData` on an unsaved object).
fn secret_value(secret: &Secret, key: &str) -> Option<String> {
    if let Some(bytes) = secret.data.as_ref().and_then(|d| d.get(key)) {
        return String::from_utf8(bytes.0.clone()).ok();
    }
    secret
        .string_data
        .as_ref()
        .and_then(|d| d.get(key))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1alpha1::CredsSecretRef;
    use k8s_openapi::api::core::v1::{EnvVarSource, SecretKeySelector};

    fn env(name: &str, value: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: Some(value.into()),
            value_from: None,
        }
    }

    #[test]
    fn the_pods_rules_decide_where_credentials_come_from() {
        let mut t = Tenant::default();
        // Nothing set: RustFS's defaults.
        assert_eq!(
            sources(&t),
            (
                Source::Literal("rustfsadmin".into()),
                Source::Literal("rustfsadmin".into())
            )
        );
        // env: the last entry wins; a secretKeyRef is followed.
        t.spec.env = vec![
            env(RUSTFS_ACCESS_KEY, "first"),
            env(RUSTFS_ACCESS_KEY, "second"),
            EnvVar {
                name: RUSTFS_SECRET_KEY.into(),
                value: None,
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: "keys".into(),
                        key: "sk".into(),
                        optional: None,
                    }),
                    ..EnvVarSource::default()
                }),
            },
        ];
        assert_eq!(
            sources(&t),
            (
                Source::Literal("second".into()),
                Source::SecretKey {
                    secret: "keys".into(),
                    key: "sk".into()
                }
            )
        );
        // credsSecret wins over env.
        t.spec.creds_secret = Some(CredsSecretRef {
            name: "creds".into(),
        });
        assert_eq!(
            sources(&t).1,
            Source::SecretKey {
                secret: "creds".into(),
                key: "secretkey".into()
            }
        );
    }

    #[test]
    fn debug_never_prints_a_value() {
        let c = RootCredentials::new(" AKIAEXAMPLE ", "s3cr3t-value\n");
        assert_eq!(c.access_key(), "AKIAEXAMPLE", "trimmed as RustFS trims");
        assert_eq!(c.secret_key(), "s3cr3t-value");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("AKIA") && !shown.contains("s3cr3t"),
            "{shown}"
        );
    }
}
