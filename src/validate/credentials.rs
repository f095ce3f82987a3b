// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The admin-credentials Secret named by `spec.credsSecret`: keys present, UTF-8, long
//! enough. Errors name the Secret and the key, never the value.

use k8s_openapi::api::core::v1::Secret;
use snafu::Snafu;

/// Secret key holding the RustFS access key (user name).
pub const ACCESS_KEY: &str = crate::resources::env::CREDS_ACCESS_KEY;
/// Secret key holding the RustFS secret key (password).
pub const SECRET_KEY: &str = crate::resources::env::CREDS_SECRET_KEY;
/// Minimum length, in characters, of both credentials.
pub const MIN_CREDENTIAL_LEN: usize = 8;

/// What is wrong with the credentials Secret. Holds names only: no variant can carry a value.
#[derive(Debug, Clone, PartialEq, Eq, Snafu)]
pub enum CredentialsProblem {
    /// The Secret does not exist in the Tenant's namespace.
    #[snafu(display(
        "Secret '{secret}' named by spec.credsSecret does not exist in the Tenant's namespace: create it with keys '{ACCESS_KEY}' and '{SECRET_KEY}' (each at least {MIN_CREDENTIAL_LEN} characters) or point spec.credsSecret.name at an existing Secret"
    ))]
    Missing {
        /// Name of the Secret.
        secret: String,
    },
    /// The Secret exists but lacks a key.
    #[snafu(display(
        "Secret '{secret}' has no key '{key}': add '{key}' to the Secret (data or stringData)"
    ))]
    MissingKey {
        /// Name of the Secret.
        secret: String,
        /// The missing key.
        key: String,
    },
    /// The key's value is not valid UTF-8.
    #[snafu(display(
        "Secret '{secret}' key '{key}' is not valid UTF-8 text: store the credential as plain text (base64-encoded once in data, or as-is in stringData)"
    ))]
    NotUtf8 {
        /// Name of the Secret.
        secret: String,
        /// The offending key.
        key: String,
    },
    /// The key's value is shorter than RustFS accepts.
    #[snafu(display(
        "Secret '{secret}' key '{key}' is shorter than {min} characters: set a longer value"
    ))]
    TooShort {
        /// Name of the Secret.
        secret: String,
        /// The offending key.
        key: String,
        /// The minimum length.
        min: usize,
    },
}

impl CredentialsProblem {
    /// A CamelCase reason for conditions and events.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "CredentialsSecretMissing",
            Self::MissingKey { .. } => "CredentialsKeyMissing",
            Self::NotUtf8 { .. } => "CredentialsNotUtf8",
            Self::TooShort { .. } => "CredentialsTooShort",
        }
    }

    /// Whether the Secret itself is absent (as opposed to present with bad content).
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Missing { .. })
    }
}

/// Checks the credentials Secret `name` as read from the cluster (`None` when it does not
/// exist). `accesskey` is checked before `secretkey`; the first problem is returned.
///
/// `stringData` wins over `data` for the same key, as it does when the API server stores a
/// Secret, so a Secret built locally and one read back are judged the same.
pub fn check_credentials_secret(
    secret: Option<&Secret>,
    name: &str,
) -> Result<(), CredentialsProblem> {
    let Some(secret) = secret else {
        return MissingSnafu { secret: name }.fail();
    };
    for key in [ACCESS_KEY, SECRET_KEY] {
        let bytes =
            super::secret_value(secret, key).ok_or_else(|| CredentialsProblem::MissingKey {
                secret: name.to_owned(),
                key: key.to_owned(),
            })?;
        let len = std::str::from_utf8(bytes)
            .map_err(|_| CredentialsProblem::NotUtf8 {
                secret: name.to_owned(),
                key: key.to_owned(),
            })?
            .chars()
            .count();
        if len < MIN_CREDENTIAL_LEN {
            return TooShortSnafu {
                secret: name,
                key,
                min: MIN_CREDENTIAL_LEN,
            }
            .fail();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::ByteString;
    use proptest::prelude::*;

    use super::*;

    fn with_data(pairs: &[(&str, &[u8])]) -> Secret {
        Secret {
            data: Some(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), ByteString(v.to_vec())))
                    .collect(),
            ),
            ..Secret::default()
        }
    }

    fn with_string_data(pairs: &[(&str, &str)]) -> Secret {
        Secret {
            string_data: Some(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ),
            ..Secret::default()
        }
    }

    #[test]
    fn valid_secret_in_data_or_string_data_passes() {
        let data = with_data(&[("accesskey", b"admin-user"), ("secretkey", b"s3cr3t-pass")]);
        assert_eq!(check_credentials_secret(Some(&data), "creds"), Ok(()));
        let strings =
            with_string_data(&[("accesskey", "admin-user"), ("secretkey", "s3cr3t-pass")]);
        assert_eq!(check_credentials_secret(Some(&strings), "creds"), Ok(()));
        // One key in each place.
        let mut mixed = with_data(&[("accesskey", b"admin-user")]);
        mixed.string_data = Some(BTreeMap::from([("secretkey".into(), "s3cr3t-pass".into())]));
        assert_eq!(check_credentials_secret(Some(&mixed), "creds"), Ok(()));
    }

    #[test]
    fn absent_secret_is_missing_and_names_the_fix() {
        let err = check_credentials_secret(None, "tenant-creds").unwrap_err();
        assert_eq!(
            err,
            CredentialsProblem::Missing {
                secret: "tenant-creds".into()
            }
        );
        assert!(err.is_missing());
        assert_eq!(err.reason(), "CredentialsSecretMissing");
        let msg = err.to_string();
        assert!(
            msg.contains("'tenant-creds'") && msg.contains("spec.credsSecret"),
            "{msg}"
        );
        assert!(
            msg.contains("create it with keys 'accesskey' and 'secretkey'"),
            "{msg}"
        );
    }

    #[test]
    fn each_missing_key_is_named() {
        let no_access = with_data(&[("secretkey", b"s3cr3t-pass")]);
        let err = check_credentials_secret(Some(&no_access), "c").unwrap_err();
        assert_eq!(
            err,
            CredentialsProblem::MissingKey {
                secret: "c".into(),
                key: "accesskey".into()
            }
        );
        assert!(err.to_string().contains("add 'accesskey'"), "{err}");

        let no_secret = with_string_data(&[("accesskey", "admin-user")]);
        let err = check_credentials_secret(Some(&no_secret), "c").unwrap_err();
        assert_eq!(err.reason(), "CredentialsKeyMissing");
        assert!(err.to_string().contains("no key 'secretkey'"), "{err}");

        // A Secret with neither map at all.
        let empty = Secret::default();
        assert!(matches!(
            check_credentials_secret(Some(&empty), "c"),
            Err(CredentialsProblem::MissingKey { key, .. }) if key == "accesskey"
        ));
    }

    #[test]
    fn non_utf8_value_is_named_by_key() {
        let bad = with_data(&[
            ("accesskey", b"admin-user"),
            (
                "secretkey",
                &[0xff, 0xfe, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46],
            ),
        ]);
        let err = check_credentials_secret(Some(&bad), "c").unwrap_err();
        assert_eq!(
            err,
            CredentialsProblem::NotUtf8 {
                secret: "c".into(),
                key: "secretkey".into()
            }
        );
        assert!(err.to_string().contains("not valid UTF-8"), "{err}");
    }

    #[test]
    fn short_values_are_refused_counting_characters_not_bytes() {
        let short = with_data(&[("accesskey", b"admin"), ("secretkey", b"s3cr3t-pass")]);
        let err = check_credentials_secret(Some(&short), "c").unwrap_err();
        assert_eq!(
            err,
            CredentialsProblem::TooShort {
                secret: "c".into(),
                key: "accesskey".into(),
                min: 8
            }
        );
        assert!(
            err.to_string().contains("shorter than 8 characters"),
            "{err}"
        );

        // Exactly 8 characters passes; 7 multi-byte characters (14 bytes) does not.
        let eight = with_string_data(&[("accesskey", "12345678"), ("secretkey", "abcdefgh")]);
        assert_eq!(check_credentials_secret(Some(&eight), "c"), Ok(()));
        let wide = with_string_data(&[("accesskey", "12345678"), ("secretkey", "ééééééé")]);
        assert!(matches!(
            check_credentials_secret(Some(&wide), "c"),
            Err(CredentialsProblem::TooShort { key, .. }) if key == "secretkey"
        ));
    }

    #[test]
    fn string_data_overrides_data_for_the_same_key() {
        let mut s = with_data(&[("accesskey", b"admin-user"), ("secretkey", b"short")]);
        s.string_data = Some(BTreeMap::from([("secretkey".into(), "long-enough".into())]));
        assert_eq!(check_credentials_secret(Some(&s), "c"), Ok(()));
        s.string_data = Some(BTreeMap::from([("secretkey".into(), "short".into())]));
        s.data
            .as_mut()
            .unwrap()
            .insert("secretkey".into(), ByteString(b"long-enough".to_vec()));
        assert!(check_credentials_secret(Some(&s), "c").is_err());
    }

    /// Values start with a character that never occurs in a message, so a leak cannot hide
    /// behind a coincidental match.
    fn credential_value() -> impl Strategy<Value = String> {
        "[#%&*~^][a-zA-Z0-9#%&*~^ ]{0,20}"
    }

    proptest! {
        #[test]
        fn no_message_ever_contains_a_value(
            access in credential_value(),
            secret in credential_value(),
            raw in proptest::collection::vec(any::<u8>(), 0..16),
            in_string_data in any::<bool>(),
        ) {
            let secrets = [
                if in_string_data {
                    with_string_data(&[("accesskey", &access), ("secretkey", &secret)])
                } else {
                    with_data(&[("accesskey", access.as_bytes()), ("secretkey", secret.as_bytes())])
                },
                with_data(&[("accesskey", access.as_bytes()), ("secretkey", &raw)]),
                with_data(&[("accesskey", access.as_bytes())]),
            ];
            for s in &secrets {
                if let Err(err) = check_credentials_secret(Some(s), "creds") {
                    let shown = format!("{err} {err:?}");
                    prop_assert!(!shown.contains(&access), "access key leaked: {}", shown);
                    prop_assert!(!shown.contains(&secret), "secret key leaked: {}", shown);
                    if raw.len() >= 4
                        && let Ok(text) = std::str::from_utf8(&raw)
                    {
                        prop_assert!(!shown.contains(text), "raw value leaked");
                    }
                    // None of the characters values start with ever shows up either.
                    prop_assert!(!shown.contains(['#', '%', '&', '*', '~', '^']), "{}", shown);
                }
            }
        }

        #[test]
        fn verdict_depends_on_length_and_encoding_only(access in credential_value(), secret in credential_value()) {
            let s = with_string_data(&[("accesskey", &access), ("secretkey", &secret)]);
            let got = check_credentials_secret(Some(&s), "creds");
            let expect_ok = access.chars().count() >= 8 && secret.chars().count() >= 8;
            prop_assert_eq!(got.is_ok(), expect_ok);
        }
    }
}
