// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The data path's Secrets: the internode (RPC) secret, and the TLS certificate with its CA.
//! Errors name the Secret, the key and the fix, never a value; a TLS verdict keeps only
//! public facts of the certificate (names, expiry).

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::Secret;
use snafu::Snafu;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::secret_value;
use crate::api::v1alpha1::TlsStatus;
use crate::tls;

/// Minimum length, in characters, of the internode secret.
pub const MIN_RPC_SECRET_LEN: usize = 32;
/// The value RustFS refuses as internode secret (its default credential).
pub const RUSTFS_DEFAULT_SECRET: &str = "rustfsadmin";
/// Keys of a `kubernetes.io/tls` Secret.
pub const TLS_CERT_KEY: &str = "tls.crt";
/// See [`TLS_CERT_KEY`].
pub const TLS_KEY_KEY: &str = "tls.key";
/// How many missing names a message lists before it says "and N more".
const LISTED: usize = 4;

/// What is wrong with a data-path Secret. Holds names and public facts only.
#[derive(Debug, Clone, PartialEq, Eq, Snafu)]
pub enum SecretProblem {
    /// The Secret does not exist.
    #[snafu(display("Secret '{secret}' does not exist in the Tenant's namespace: {fix}"))]
    Missing {
        /// Name of the Secret.
        secret: String,
        /// What to do.
        fix: String,
    },
    /// The Secret lacks a key.
    #[snafu(display("Secret '{secret}' has no key '{key}': {fix}"))]
    MissingKey {
        /// Name of the Secret.
        secret: String,
        /// The missing key.
        key: String,
        /// What to do.
        fix: String,
    },
    /// The value is unusable; `problem` says why without the value.
    #[snafu(display("Secret '{secret}' key '{key}': {problem}"))]
    Invalid {
        /// Name of the Secret.
        secret: String,
        /// The offending key.
        key: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

/// Checks the internode secret at `name`/`key`: present, UTF-8, at least
/// [`MIN_RPC_SECRET_LEN`] characters after trimming (RustFS trims), not RustFS's default.
pub fn check_rpc_secret(
    secret: Option<&Secret>,
    name: &str,
    key: &str,
    generated: bool,
) -> Result<(), SecretProblem> {
    let Some(secret) = secret else {
        let fix = if generated {
            "the operator creates it; if this persists, check that the operator may create Secrets"
                .to_owned()
        } else {
            format!(
                "create it with key '{key}' holding at least {MIN_RPC_SECRET_LEN} random characters (e.g. `openssl rand -hex 32`), or remove spec.rpcSecret to let the operator generate one"
            )
        };
        return MissingSnafu { secret: name, fix }.fail();
    };
    let bytes = secret_value(secret, key).ok_or_else(|| SecretProblem::MissingKey {
        secret: name.to_owned(),
        key: key.to_owned(),
        fix: "add the key, or point spec.rpcSecret.key at the key that holds the secret".into(),
    })?;
    let invalid = |problem: String| SecretProblem::Invalid {
        secret: name.to_owned(),
        key: key.to_owned(),
        problem,
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|_| invalid("is not valid UTF-8 text: store it as plain text".into()))?
        .trim();
    if text.chars().count() < MIN_RPC_SECRET_LEN {
        return Err(invalid(format!(
            "is shorter than {MIN_RPC_SECRET_LEN} characters: set a longer random value (e.g. `openssl rand -hex 32`)"
        )));
    }
    if text == RUSTFS_DEFAULT_SECRET {
        return Err(invalid(format!(
            "is RustFS's default '{RUSTFS_DEFAULT_SECRET}', which it refuses: set a random value"
        )));
    }
    Ok(())
}

/// Checks the servers' certificate: the TLS Secret's `tls.crt` and `tls.key` form a valid
/// pair at `now`, the certificate covers every name in `required`, and the CA at
/// `ca_name`/`ca_key` holds certificates, one of which issued the leaf (or is the leaf).
#[allow(clippy::too_many_arguments)]
pub fn check_tls(
    secret: Option<&Secret>,
    name: &str,
    ca_secret: Option<&Secret>,
    ca_name: &str,
    ca_key: &str,
    required: &[String],
    now: DateTime<Utc>,
    fix_missing: &str,
) -> Result<TlsStatus, SecretProblem> {
    let Some(secret) = secret else {
        return MissingSnafu {
            secret: name,
            fix: fix_missing,
        }
        .fail();
    };
    let get = |key: &str| {
        secret_value(secret, key).ok_or_else(|| SecretProblem::MissingKey {
            secret: name.to_owned(),
            key: key.to_owned(),
            fix: "a kubernetes.io/tls Secret holds the PEM certificate chain in 'tls.crt' and the private key in 'tls.key'".into(),
        })
    };
    let (cert_pem, key_pem) = (get(TLS_CERT_KEY)?, get(TLS_KEY_KEY)?);
    let invalid = |key: &str, problem: String| SecretProblem::Invalid {
        secret: name.to_owned(),
        key: key.to_owned(),
        problem,
    };
    let summary = tls::validate_pair(cert_pem, key_pem, now)
        .map_err(|e| invalid(TLS_CERT_KEY, e.to_string()))?;
    let missing = tls::missing_names(&summary.dns_names, required);
    if !missing.is_empty() {
        let mut listed = missing
            .iter()
            .take(LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if missing.len() > LISTED {
            listed.push_str(&format!(" and {} more", missing.len() - LISTED));
        }
        return Err(invalid(
            TLS_CERT_KEY,
            format!(
                "the certificate does not cover {listed}: reissue it with these DNS names (wildcards such as '*.<tenant>-hl.<namespace>.svc.<domain>' cover every server)"
            ),
        ));
    }

    // The CA the servers will trust for each other.
    let ca_fix = if ca_name == name {
        "add the CA certificate under 'ca.crt', or set spec.tls.caSecret (for a self-signed certificate: this Secret's 'tls.crt')".to_owned()
    } else {
        "add the CA certificate (PEM) under that key, or point spec.tls.caSecret at it".to_owned()
    };
    let Some(ca_secret) = ca_secret else {
        return MissingSnafu {
            secret: ca_name,
            fix: ca_fix,
        }
        .fail();
    };
    let ca_pem = secret_value(ca_secret, ca_key).ok_or_else(|| SecretProblem::MissingKey {
        secret: ca_name.to_owned(),
        key: ca_key.to_owned(),
        fix: ca_fix.clone(),
    })?;
    if !issued_by(cert_pem, ca_pem) {
        return Err(SecretProblem::Invalid {
            secret: ca_name.to_owned(),
            key: ca_key.to_owned(),
            problem: format!(
                "holds no certificate that signed the servers' certificate in Secret '{name}': the servers could not verify each other; ship the issuing CA"
            ),
        });
    }
    Ok(TlsStatus {
        secret: name.to_owned(),
        not_after: Some(summary.not_after),
        dns_names: summary.dns_names,
    })
}

/// Whether a certificate in `ca_pem` signed the first certificate of `chain_pem` (or is it).
fn issued_by(chain_pem: &[u8], ca_pem: &[u8]) -> bool {
    let ders = |input: &[u8]| -> Vec<Vec<u8>> {
        pem::parse_many(input)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.tag() == "CERTIFICATE")
            .map(|p| p.into_contents())
            .collect()
    };
    let chain = ders(chain_pem);
    let Some(leaf_der) = chain.first() else {
        return false;
    };
    let Ok((_, leaf)) = X509Certificate::from_der(leaf_der) else {
        return false;
    };
    // The leaf, or an intermediate shipped with it, must be signed by a CA certificate.
    let cas = ders(ca_pem);
    let parsed: Vec<X509Certificate<'_>> = cas
        .iter()
        .filter_map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
        .collect();
    let intermediates: Vec<X509Certificate<'_>> = chain[1..]
        .iter()
        .filter_map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
        .collect();
    let signed = |cert: &X509Certificate<'_>, by: &X509Certificate<'_>| {
        cert.issuer() == by.subject() && cert.verify_signature(Some(by.public_key())).is_ok()
    };
    cas.iter().any(|d| d == leaf_der)
        || parsed.iter().any(|ca| {
            signed(&leaf, ca)
                || intermediates
                    .iter()
                    .any(|i| signed(&leaf, i) && signed(i, ca))
        })
}

/// The certificate expires within `window` of `now`: time to warn.
pub fn expires_soon(status: &TlsStatus, now: DateTime<Utc>, window: chrono::Duration) -> bool {
    status.not_after.is_some_and(|t| t - now <= window)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;
    use rcgen::{CertificateParams, Issuer, KeyPair, date_time_ymd};

    use super::*;

    fn secret(pairs: &[(&str, &str)]) -> Secret {
        Secret {
            string_data: Some(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            ..Secret::default()
        }
    }

    #[test]
    fn rpc_secret_rules_name_the_secret_and_key_never_the_value() {
        let long = "f".repeat(40);
        assert_eq!(
            check_rpc_secret(Some(&secret(&[("k", &long)])), "s", "k", false),
            Ok(())
        );
        let missing = check_rpc_secret(None, "s", "k", false).unwrap_err();
        assert!(
            missing.to_string().contains("'s'") && missing.to_string().contains("openssl rand")
        );
        let generated = check_rpc_secret(None, "s", "k", true).unwrap_err();
        assert!(generated.to_string().contains("the operator creates it"));
        let no_key =
            check_rpc_secret(Some(&secret(&[("other", &long)])), "s", "k", false).unwrap_err();
        assert!(matches!(no_key, SecretProblem::MissingKey { ref key, .. } if key == "k"));
        let short =
            check_rpc_secret(Some(&secret(&[("k", "0123456789")])), "s", "k", false).unwrap_err();
        assert!(short.to_string().contains("shorter than 32"), "{short}");
        assert!(!short.to_string().contains("0123456789"));
        // Trimmed as RustFS trims: whitespace does not count.
        let padded = format!("  {}  ", "a".repeat(31));
        assert!(check_rpc_secret(Some(&secret(&[("k", &padded)])), "s", "k", false).is_err());
        // Not text at all.
        let bytes = Secret {
            data: Some(BTreeMap::from([(
                "k".to_owned(),
                k8s_openapi::ByteString(vec![0xff, 0xfe]),
            )])),
            ..Secret::default()
        };
        let not_utf8 = check_rpc_secret(Some(&bytes), "s", "k", false).unwrap_err();
        assert!(not_utf8.to_string().contains("UTF-8"));
    }

    struct Pki {
        ca_pem: String,
        issuer: Issuer<'static, KeyPair>,
    }

    fn pki() -> Pki {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.not_before = date_time_ymd(2030, 1, 1);
        params.not_after = date_time_ymd(2032, 1, 1);
        let ca = params.self_signed(&key).unwrap();
        Pki {
            ca_pem: ca.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    fn leaf(pki: &Pki, names: &[&str]) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.not_before = date_time_ymd(2030, 1, 1);
        params.not_after = date_time_ymd(2031, 1, 1);
        let cert = params.signed_by(&key, &pki.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 6, 1, 0, 0, 0).unwrap()
    }

    fn required() -> Vec<String> {
        vec![
            "t-io.ns.svc.cluster.local".into(),
            "t-p0-0.t-hl.ns.svc.cluster.local".into(),
            "t-p0-1.t-hl.ns.svc.cluster.local".into(),
        ]
    }

    fn check(
        s: &Secret,
        ca: Option<&Secret>,
        ca_name: &str,
        ca_key: &str,
    ) -> Result<TlsStatus, SecretProblem> {
        check_tls(
            Some(s),
            "certs",
            ca,
            ca_name,
            ca_key,
            &required(),
            now(),
            "create it",
        )
    }

    #[test]
    fn a_ca_signed_certificate_covering_every_server_passes_with_its_facts() {
        let pki = pki();
        let (cert, key) = leaf(
            &pki,
            &["t-io.ns.svc.cluster.local", "*.t-hl.ns.svc.cluster.local"],
        );
        let s = secret(&[
            ("tls.crt", &cert),
            ("tls.key", &key),
            ("ca.crt", &pki.ca_pem),
        ]);
        let status = check(&s, Some(&s), "certs", "ca.crt").unwrap();
        assert_eq!(status.secret, "certs");
        assert_eq!(status.dns_names.len(), 2);
        assert_eq!(
            status.not_after,
            Some(Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap())
        );
    }

    #[test]
    fn missing_names_are_listed() {
        let pki = pki();
        let (cert, key) = leaf(
            &pki,
            &[
                "t-io.ns.svc.cluster.local",
                "t-p0-0.t-hl.ns.svc.cluster.local",
            ],
        );
        let s = secret(&[
            ("tls.crt", &cert),
            ("tls.key", &key),
            ("ca.crt", &pki.ca_pem),
        ]);
        let e = check(&s, Some(&s), "certs", "ca.crt")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("does not cover t-p0-1.t-hl.ns.svc.cluster.local"),
            "{e}"
        );
        assert!(!e.contains("t-p0-0.t-hl"), "{e}");
    }

    #[test]
    fn a_ca_that_did_not_sign_the_certificate_is_refused() {
        let (pki, other) = (pki(), pki());
        let (cert, key) = leaf(
            &pki,
            &["t-io.ns.svc.cluster.local", "*.t-hl.ns.svc.cluster.local"],
        );
        let s = secret(&[
            ("tls.crt", &cert),
            ("tls.key", &key),
            ("ca.crt", &other.ca_pem),
        ]);
        let e = check(&s, Some(&s), "certs", "ca.crt")
            .unwrap_err()
            .to_string();
        assert!(e.contains("signed the servers' certificate"), "{e}");
        // The right CA from another Secret passes.
        let ca = secret(&[("root.pem", &pki.ca_pem)]);
        assert!(check(&s, Some(&ca), "corp-ca", "root.pem").is_ok());
    }

    #[test]
    fn a_missing_ca_and_missing_keys_say_what_to_add() {
        let pki = pki();
        let (cert, key) = leaf(
            &pki,
            &["t-io.ns.svc.cluster.local", "*.t-hl.ns.svc.cluster.local"],
        );
        let s = secret(&[("tls.crt", &cert), ("tls.key", &key)]);
        let e = check(&s, Some(&s), "certs", "ca.crt")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'ca.crt'") && e.contains("spec.tls.caSecret"),
            "{e}"
        );
        let no_key = secret(&[("tls.crt", &cert)]);
        let e = check(&no_key, Some(&no_key), "certs", "ca.crt")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no key 'tls.key'"), "{e}");
        let gone = check_tls(
            None,
            "certs",
            None,
            "certs",
            "ca.crt",
            &required(),
            now(),
            "ask cert-manager",
        )
        .unwrap_err()
        .to_string();
        assert!(gone.contains("ask cert-manager"), "{gone}");
        // No message carries key material.
        assert!(!e.contains("PRIVATE KEY"));
    }

    #[test]
    fn an_expired_certificate_is_refused() {
        let pki = pki();
        let (cert, key) = leaf(
            &pki,
            &["t-io.ns.svc.cluster.local", "*.t-hl.ns.svc.cluster.local"],
        );
        let s = secret(&[
            ("tls.crt", &cert),
            ("tls.key", &key),
            ("ca.crt", &pki.ca_pem),
        ]);
        let later = Utc.with_ymd_and_hms(2031, 6, 1, 0, 0, 0).unwrap();
        let e = check_tls(
            Some(&s),
            "certs",
            Some(&s),
            "certs",
            "ca.crt",
            &required(),
            later,
            "x",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("expired"), "{e}");
        let status = check(&s, Some(&s), "certs", "ca.crt").unwrap();
        assert!(!expires_soon(&status, now(), chrono::Duration::days(14)));
        let near = Utc.with_ymd_and_hms(2030, 12, 25, 0, 0, 0).unwrap();
        assert!(expires_soon(&status, near, chrono::Duration::days(14)));
    }

    #[test]
    fn a_self_signed_certificate_is_its_own_ca() {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![
            "t-io.ns.svc.cluster.local".to_owned(),
            "*.t-hl.ns.svc.cluster.local".to_owned(),
        ])
        .unwrap();
        params.not_before = date_time_ymd(2030, 1, 1);
        params.not_after = date_time_ymd(2031, 1, 1);
        let cert = params.self_signed(&key).unwrap().pem();
        let s = secret(&[("tls.crt", &cert), ("tls.key", &key.serialize_pem())]);
        assert!(check(&s, Some(&s), "certs", "tls.crt").is_ok());
    }
}
