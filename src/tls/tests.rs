// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Tests of the TLS pair checks, with certificates and keys made on the fly: every key type
//! and encoding accepted; mismatches, misplaced or malformed PEM and validity boundaries
//! refused with a message that names the problem.

use std::sync::OnceLock;

use chrono::TimeZone;
use p256::pkcs8::DecodePrivateKey as _;
use rcgen::{
    CertificateParams, DnType, Issuer, KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384,
    PKCS_ED25519, PKCS_RSA_SHA256, PublicKeyData, SignatureAlgorithm, date_time_ymd,
};
use rsa::pkcs1::{EncodeRsaPrivateKey as _, EncodeRsaPublicKey as _};
use rsa::pkcs8::EncodePrivateKey as _;

use super::*;

// -----------------------------------------------------------------------------------------
// Fixtures, all generated at test time.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rsa,
    P256,
    Ed25519,
}

const KINDS: [Kind; 3] = [Kind::Rsa, Kind::P256, Kind::Ed25519];

/// Every supported key type with every encoding it can come in.
const ENCODINGS: [(Kind, KeyEncoding); 5] = [
    (Kind::Rsa, KeyEncoding::Pkcs1),
    (Kind::Rsa, KeyEncoding::Pkcs8),
    (Kind::P256, KeyEncoding::Sec1),
    (Kind::P256, KeyEncoding::Pkcs8),
    (Kind::Ed25519, KeyEncoding::Pkcs8),
];

/// A generated private key, kept as PKCS#8 DER.
struct TestKey {
    kind: Kind,
    pkcs8: Vec<u8>,
}

fn generate(kind: Kind) -> TestKey {
    let pkcs8 = match kind {
        Kind::Rsa => rsa::PrivateKey::new(&mut getrandom::SysRng, 2048)
            .unwrap()
            .to_pkcs8_der()
            .unwrap()
            .as_bytes()
            .to_vec(),
        Kind::P256 => KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
            .unwrap()
            .serialize_der(),
        Kind::Ed25519 => KeyPair::generate_for(&PKCS_ED25519)
            .unwrap()
            .serialize_der(),
    };
    TestKey { kind, pkcs8 }
}

/// Two distinct keys per kind, generated once per test run (RSA generation is slow).
fn key(kind: Kind, slot: usize) -> &'static TestKey {
    static KEYS: OnceLock<Vec<TestKey>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        std::thread::scope(|scope| {
            let handles: Vec<_> = KINDS
                .iter()
                .flat_map(|kind| [*kind, *kind])
                .map(|kind| scope.spawn(move || generate(kind)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    });
    let index = KINDS.iter().position(|k| *k == kind).unwrap() * 2 + slot;
    &keys[index]
}

fn pem_text(label: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(label, der.to_vec()))
}

/// The key as PEM in `encoding`, converted by the RustCrypto encoders.
fn key_pem(key: &TestKey, encoding: KeyEncoding) -> String {
    match (key.kind, encoding) {
        (_, KeyEncoding::Pkcs8) => pem_text("PRIVATE KEY", &key.pkcs8),
        (Kind::Rsa, KeyEncoding::Pkcs1) => {
            let rsa = rsa::PrivateKey::from_pkcs8_der(&key.pkcs8).unwrap();
            pem_text("RSA PRIVATE KEY", rsa.to_pkcs1_der().unwrap().as_bytes())
        }
        (Kind::P256, KeyEncoding::Sec1) => {
            let secret = p256::SecretKey::from_pkcs8_der(&key.pkcs8).unwrap();
            pem_text("EC PRIVATE KEY", &secret.to_sec1_der().unwrap())
        }
        other => panic!("no such encoding: {other:?}"),
    }
}

fn signer(key: &TestKey) -> KeyPair {
    KeyPair::try_from(key.pkcs8.as_slice()).unwrap()
}

const NAMES: [&str; 3] = [
    "tenant.example.svc",
    "*.tenant-hl.ns.svc.cluster.local",
    "10.0.0.7",
];

/// Certificate parameters valid from 2030-01-01 until 2031-01-01.
fn params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(
        NAMES
            .iter()
            .map(|name| name.to_string())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.not_before = date_time_ymd(2030, 1, 1);
    params.not_after = date_time_ymd(2031, 1, 1);
    params
}

fn self_signed(key: &TestKey) -> String {
    params("tenant.example.svc")
        .self_signed(&signer(key))
        .unwrap()
        .pem()
}

/// A leaf for `key` issued by a P-256 CA; returns (leaf PEM, CA PEM).
fn issued(key: &impl PublicKeyData) -> (String, String) {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = params("Test CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf = params("tenant.example.svc")
        .signed_by(key, &issuer)
        .unwrap();
    (leaf.pem(), ca.pem())
}

/// A public key rcgen cannot sign with, to put into certificates.
struct RawPublicKey {
    der: Vec<u8>,
    algorithm: &'static SignatureAlgorithm,
}

impl PublicKeyData for RawPublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.der
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.algorithm
    }
}

fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0).unwrap()
}

/// Inside the validity period of the certificates above.
fn now() -> DateTime<Utc> {
    at(2030, 6, 1)
}

/// Validation must fail; checks that no error text contains a piece of the key.
fn rejected(certificate: &str, key: &str) -> TlsError {
    rejected_at(certificate, key, now())
}

fn rejected_at(certificate: &str, key: &str, now: DateTime<Utc>) -> TlsError {
    let error = match validate_pair(certificate.as_bytes(), key.as_bytes(), now) {
        Ok(summary) => panic!("accepted: {summary:?}"),
        Err(error) => error,
    };
    let texts = [error.to_string(), format!("{error:?}")];
    for line in key.lines().filter(|line| !line.starts_with("-----")) {
        for window in line.as_bytes().windows(16) {
            let piece = std::str::from_utf8(window).unwrap();
            for text in &texts {
                assert!(
                    !text.contains(piece),
                    "error text contains key data: {text}"
                );
            }
        }
    }
    error
}

fn assert_mentions(error: &TlsError, words: &[&str]) {
    let text = error.to_string();
    for word in words {
        assert!(text.contains(word), "{word:?} missing from: {text}");
    }
}

// Small DER writer for hand-made key structures.

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if content.len() < 0x80 {
        out.push(content.len() as u8);
    } else {
        let length = content.len().to_be_bytes();
        let skip = length.iter().position(|byte| *byte != 0).unwrap();
        out.push(0x80 | (length.len() - skip) as u8);
        out.extend_from_slice(&length[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

fn integer(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude
        .iter()
        .position(|byte| *byte != 0)
        .unwrap_or(magnitude.len());
    let mut content = magnitude[start..].to_vec();
    if content.first().is_none_or(|byte| byte & 0x80 != 0) {
        content.insert(0, 0);
    }
    tlv(INTEGER, &content)
}

fn bit_string(bytes: &[u8]) -> Vec<u8> {
    tlv(BIT_STRING, &[&[0u8][..], bytes].concat())
}

/// The nine INTEGER magnitudes of a PKCS#1 key: version, n, e, d, p, q, dP, dQ, qInv.
fn rsa_fields(key: &TestKey) -> Vec<Vec<u8>> {
    let rsa = rsa::PrivateKey::from_pkcs8_der(&key.pkcs8).unwrap();
    let der = rsa.to_pkcs1_der().unwrap();
    let mut fields = Der::new(whole(der.as_bytes(), SEQUENCE, "no sequence").unwrap());
    let values = (0..9)
        .map(|_| fields.unsigned("no integer").unwrap().to_vec())
        .collect();
    fields.finish("trailing").unwrap();
    values
}

fn rsa_pem(fields: &[Vec<u8>]) -> String {
    let parts: Vec<Vec<u8>> = fields.iter().map(|field| integer(field)).collect();
    pem_text("RSA PRIVATE KEY", &sequence(&parts))
}

fn p256_scalar_and_point(key: &TestKey) -> (Vec<u8>, Vec<u8>) {
    let secret = p256::SecretKey::from_pkcs8_der(&key.pkcs8).unwrap();
    (
        secret.to_bytes().to_vec(),
        secret.public_key().to_sec1_bytes().to_vec(),
    )
}

fn sec1(scalar: &[u8], curve: Option<Vec<u8>>, point: Option<&[u8]>) -> Vec<u8> {
    let mut parts = vec![integer(&[1]), tlv(OCTET_STRING, scalar)];
    if let Some(curve) = curve {
        parts.push(tlv(CONTEXT_0_CONSTRUCTED, &curve));
    }
    if let Some(point) = point {
        parts.push(tlv(CONTEXT_1_CONSTRUCTED, &bit_string(point)));
    }
    sequence(&parts)
}

fn ed25519_seed(key: &TestKey) -> Vec<u8> {
    let mut info = Der::new(whole(&key.pkcs8, SEQUENCE, "no sequence").unwrap());
    info.unsigned("no version").unwrap();
    info.expect(SEQUENCE, "no algorithm").unwrap();
    let private = info.expect(OCTET_STRING, "no private key").unwrap();
    whole(private, OCTET_STRING, "no seed").unwrap().to_vec()
}

/// PKCS#8 v1 for Ed25519 as OpenSSL writes it: no embedded public key.
fn ed25519_pkcs8_v1(seed: &[u8]) -> Vec<u8> {
    sequence(&[
        integer(&[0]),
        sequence(&[tlv(OID, OID_ED25519)]),
        tlv(OCTET_STRING, &tlv(OCTET_STRING, seed)),
    ])
}

// -----------------------------------------------------------------------------------------
// Accepted pairs

#[test]
fn accepts_every_key_type_in_every_encoding() {
    for (kind, encoding) in ENCODINGS {
        let key = key(kind, 0);
        let summary = validate_pair(
            self_signed(key).as_bytes(),
            key_pem(key, encoding).as_bytes(),
            now(),
        )
        .unwrap_or_else(|error| panic!("{kind:?} {encoding}: {error}"));
        let algorithm = match kind {
            Kind::Rsa => KeyAlgorithm::Rsa { bits: 2048 },
            Kind::P256 => KeyAlgorithm::EcdsaP256,
            Kind::Ed25519 => KeyAlgorithm::Ed25519,
        };
        assert_eq!(summary.key_algorithm, algorithm, "{kind:?} {encoding}");
        assert_eq!(summary.key_encoding, encoding);
        assert_eq!(summary.subject, "CN=tenant.example.svc");
        assert_eq!(summary.issuer, summary.subject);
        assert_eq!(
            summary.dns_names,
            ["tenant.example.svc", "*.tenant-hl.ns.svc.cluster.local"]
        );
        assert_eq!(summary.ip_addresses, [IpAddr::from([10, 0, 0, 7])]);
        assert_eq!(summary.not_before, at(2030, 1, 1));
        assert_eq!(summary.not_after, at(2031, 1, 1));
        assert_eq!(summary.chain_length, 1);
        assert!(!summary.serial.is_empty());
    }
}

#[test]
fn test_encoders_write_the_pem_labels_and_structures_the_validator_expects() {
    let p256 = key(Kind::P256, 0);
    let (scalar, point) = p256_scalar_and_point(p256);
    let converted = key_pem(p256, KeyEncoding::Sec1);
    let hand_made = pem_text(
        "EC PRIVATE KEY",
        &sec1(&scalar, Some(tlv(OID, OID_PRIME256V1)), Some(&point)),
    );
    assert_eq!(converted, hand_made);
    let rsa = key(Kind::Rsa, 0);
    assert!(key_pem(rsa, KeyEncoding::Pkcs1).starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert_eq!(rsa_fields(rsa)[0], Vec::<u8>::new(), "two-prime version 0");
}

#[test]
fn accepts_sec1_without_embedded_public_key_and_after_an_ec_parameters_block() {
    let key = key(Kind::P256, 0);
    let certificate = self_signed(key);
    let (scalar, _) = p256_scalar_and_point(key);
    let bare = pem_text(
        "EC PRIVATE KEY",
        &sec1(&scalar, Some(tlv(OID, OID_PRIME256V1)), None),
    );
    let summary = validate_pair(certificate.as_bytes(), bare.as_bytes(), now()).unwrap();
    assert_eq!(summary.key_encoding, KeyEncoding::Sec1);

    let with_parameters = format!(
        "{}{}",
        pem_text("EC PARAMETERS", &tlv(OID, OID_PRIME256V1)),
        key_pem(key, KeyEncoding::Sec1)
    );
    let summary = validate_pair(certificate.as_bytes(), with_parameters.as_bytes(), now()).unwrap();
    assert_eq!(summary.key_algorithm, KeyAlgorithm::EcdsaP256);
}

#[test]
fn accepts_ed25519_pkcs8_v1_without_public_key() {
    let key = key(Kind::Ed25519, 0);
    let v1 = pem_text("PRIVATE KEY", &ed25519_pkcs8_v1(&ed25519_seed(key)));
    let summary = validate_pair(self_signed(key).as_bytes(), v1.as_bytes(), now()).unwrap();
    assert_eq!(summary.key_algorithm, KeyAlgorithm::Ed25519);
    assert_eq!(summary.key_encoding, KeyEncoding::Pkcs8);
}

#[test]
fn accepts_crlf_line_endings_and_text_around_the_blocks() {
    let key = key(Kind::P256, 0);
    let crlf = |text: String| text.replace("\r\n", "\n").replace('\n', "\r\n");
    let certificate = crlf(format!("subject=CN=tenant\n{}", self_signed(key)));
    let private = crlf(key_pem(key, KeyEncoding::Pkcs8));
    assert!(certificate.contains("-----\r\nMII") && private.contains("-----\r\nMI"));
    validate_pair(certificate.as_bytes(), private.as_bytes(), now()).unwrap();
}

// -----------------------------------------------------------------------------------------
// Mismatches

#[test]
fn rejects_every_mismatching_combination() {
    for certificate_kind in KINDS {
        let certificate = self_signed(key(certificate_kind, 0));
        for (key_kind, encoding) in ENCODINGS {
            // Slot 1 is a different key, also when the type is the same.
            let private = key_pem(key(key_kind, 1), encoding);
            let error = rejected(&certificate, &private);
            let TlsError::KeyMismatch {
                certificate_key,
                private_key,
            } = error
            else {
                panic!("{certificate_kind:?} vs {key_kind:?} {encoding}: {error:?}");
            };
            assert_eq!(certificate_key, algorithm(certificate_kind));
            assert_eq!(private_key, algorithm(key_kind));
            assert_eq!(error.reason(), "KeyMismatch");
            assert_mentions(&error, &["does not belong to the certificate"]);
            if certificate_kind == key_kind {
                assert_mentions(&error, &["both are", "different public key"]);
            } else {
                let words = [certificate_key.to_string(), private_key.to_string()];
                assert_mentions(&error, &[&words[0], &words[1]]);
            }
        }
    }
}

fn algorithm(kind: Kind) -> KeyAlgorithm {
    match kind {
        Kind::Rsa => KeyAlgorithm::Rsa { bits: 2048 },
        Kind::P256 => KeyAlgorithm::EcdsaP256,
        Kind::Ed25519 => KeyAlgorithm::Ed25519,
    }
}

#[test]
fn mismatch_names_both_key_types() {
    let error = rejected(
        &self_signed(key(Kind::Rsa, 0)),
        &key_pem(key(Kind::P256, 0), KeyEncoding::Sec1),
    );
    assert_mentions(
        &error,
        &["the certificate holds an RSA-2048 public key but the private key is ECDSA P-256"],
    );
}

// -----------------------------------------------------------------------------------------
// Validity period

#[test]
fn rejects_expired_and_not_yet_valid_certificates_at_the_exact_boundaries() {
    let key = key(Kind::Ed25519, 0);
    let certificate = self_signed(key);
    let private = key_pem(key, KeyEncoding::Pkcs8);
    let second = chrono::Duration::seconds(1);

    for valid in [at(2030, 1, 1), at(2031, 1, 1)] {
        validate_pair(certificate.as_bytes(), private.as_bytes(), valid).unwrap();
    }

    let error = rejected_at(&certificate, &private, at(2031, 1, 1) + second);
    assert!(
        matches!(error, TlsError::CertificateExpired { not_after, now }
            if not_after == at(2031, 1, 1) && now == at(2031, 1, 1) + second),
        "{error:?}"
    );
    assert_eq!(error.reason(), "CertificateExpired");
    assert_mentions(
        &error,
        &[
            "expired",
            "2031-01-01T00:00:00Z (notAfter)",
            "2031-01-01T00:00:01Z",
            "renew",
        ],
    );

    let error = rejected_at(&certificate, &private, at(2030, 1, 1) - second);
    assert!(
        matches!(error, TlsError::CertificateNotYetValid { not_before, .. }
            if not_before == at(2030, 1, 1)),
        "{error:?}"
    );
    assert_mentions(
        &error,
        &[
            "not yet valid",
            "2030-01-01T00:00:00Z (notBefore)",
            "2029-12-31T23:59:59Z",
        ],
    );
}

#[test]
fn the_clock_wrapper_uses_the_current_time() {
    let key = key(Kind::P256, 0);
    let private = key_pem(key, KeyEncoding::Pkcs8);
    let mut current = params("tenant.example.svc");
    current.not_before = date_time_ymd(2000, 1, 1);
    current.not_after = date_time_ymd(9000, 1, 1);
    let certificate = current.self_signed(&signer(key)).unwrap().pem();
    validate_pair_now(certificate.as_bytes(), private.as_bytes()).unwrap();

    let mut past = params("tenant.example.svc");
    past.not_before = date_time_ymd(2000, 1, 1);
    past.not_after = date_time_ymd(2001, 1, 1);
    let certificate = past.self_signed(&signer(key)).unwrap().pem();
    let error = validate_pair_now(certificate.as_bytes(), private.as_bytes()).unwrap_err();
    assert!(
        matches!(error, TlsError::CertificateExpired { .. }),
        "{error:?}"
    );
}

#[test]
fn a_mismatch_is_reported_before_the_validity_period() {
    let error = rejected_at(
        &self_signed(key(Kind::P256, 0)),
        &key_pem(key(Kind::P256, 1), KeyEncoding::Pkcs8),
        at(2040, 1, 1),
    );
    assert!(matches!(error, TlsError::KeyMismatch { .. }), "{error:?}");
}

// -----------------------------------------------------------------------------------------
// Wrong PEM types

#[test]
fn rejects_a_private_key_where_the_certificate_belongs() {
    for (kind, encoding) in ENCODINGS {
        let key = key(kind, 0);
        let private = key_pem(key, encoding);
        let error = rejected(&private, &private);
        let label = match encoding {
            KeyEncoding::Pkcs1 => "RSA PRIVATE KEY",
            KeyEncoding::Pkcs8 => "PRIVATE KEY",
            KeyEncoding::Sec1 => "EC PRIVATE KEY",
        };
        assert!(
            matches!(&error, TlsError::WrongPemType { input: PemInput::Certificate, found, block: 1 }
                if found == label),
            "{error:?}"
        );
        assert_mentions(&error, &["'CERTIFICATE'", label, "swapped"]);
    }
}

#[test]
fn rejects_a_certificate_where_the_key_belongs() {
    let certificate = self_signed(key(Kind::P256, 0));
    let error = rejected(&certificate, &certificate);
    assert!(
        matches!(&error, TlsError::WrongPemType { input: PemInput::PrivateKey, found, block: 1 }
            if found == "CERTIFICATE"),
        "{error:?}"
    );
    assert_mentions(&error, &["'PRIVATE KEY'", "'CERTIFICATE'", "swapped"]);
}

#[test]
fn rejects_a_public_key_or_signing_request_in_either_place() {
    let key = key(Kind::P256, 0);
    let pair = signer(key);
    let certificate = self_signed(key);
    let private = key_pem(key, KeyEncoding::Pkcs8);

    let error = rejected(&certificate, &pair.public_key_pem());
    assert!(
        matches!(&error, TlsError::WrongPemType { input: PemInput::PrivateKey, found, .. }
            if found == "PUBLIC KEY"),
        "{error:?}"
    );
    assert_mentions(&error, &["public key", "the private key is needed"]);

    let request = params("tenant.example.svc")
        .serialize_request(&pair)
        .unwrap()
        .pem()
        .unwrap();
    let error = rejected(&request, &private);
    assert!(
        matches!(&error, TlsError::WrongPemType { input: PemInput::Certificate, found, .. }
            if found == "CERTIFICATE REQUEST"),
        "{error:?}"
    );
    assert_mentions(&error, &["signing request"]);

    let error = rejected(&pair.public_key_pem(), &private);
    assert_mentions(&error, &["'PUBLIC KEY'", "a certificate is needed"]);
}

#[test]
fn rejects_a_private_key_appended_to_the_certificate() {
    let key = key(Kind::Ed25519, 0);
    let private = key_pem(key, KeyEncoding::Pkcs8);
    let combined = format!("{}{}", self_signed(key), private);
    let error = rejected(&combined, &private);
    assert!(
        matches!(
            &error,
            TlsError::WrongPemType {
                input: PemInput::Certificate,
                block: 2,
                ..
            }
        ),
        "{error:?}"
    );
    assert_mentions(
        &error,
        &[
            "block #2",
            "'PRIVATE KEY'",
            "keep it out of the certificate",
        ],
    );
}

#[test]
fn rejects_encrypted_private_keys() {
    let certificate = self_signed(key(Kind::Rsa, 0));
    let pkcs8_encrypted = pem_text("ENCRYPTED PRIVATE KEY", &[0x30, 0x03, 0x02, 0x01, 0x00]);
    let body = key_pem(key(Kind::Rsa, 0), KeyEncoding::Pkcs1);
    let legacy = body.replacen(
        "-----BEGIN RSA PRIVATE KEY-----\r\n",
        "-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: \
         AES-128-CBC,00112233445566778899AABBCCDDEEFF\r\n\r\n",
        1,
    );
    assert_ne!(legacy, body, "the header was inserted");
    for private in [pkcs8_encrypted, legacy] {
        let error = rejected(&certificate, &private);
        assert!(matches!(error, TlsError::EncryptedPrivateKey), "{error:?}");
        assert_mentions(&error, &["encrypted", "openssl pkey"]);
    }
}

#[test]
fn rejects_more_than_one_private_key() {
    let key = key(Kind::P256, 0);
    let two = format!(
        "{}{}",
        key_pem(key, KeyEncoding::Sec1),
        key_pem(key, KeyEncoding::Pkcs8)
    );
    let error = rejected(&self_signed(key), &two);
    assert!(
        matches!(error, TlsError::MultiplePrivateKeys { count: 2 }),
        "{error:?}"
    );
    assert_mentions(&error, &["2 private keys", "exactly one"]);
}

#[test]
fn rejects_ec_parameters_without_a_key() {
    let error = rejected(
        &self_signed(key(Kind::P256, 0)),
        &pem_text("EC PARAMETERS", &tlv(OID, OID_PRIME256V1)),
    );
    assert!(
        matches!(&error, TlsError::WrongPemType { input: PemInput::PrivateKey, found, .. }
            if found == "EC PARAMETERS"),
        "{error:?}"
    );
}

// -----------------------------------------------------------------------------------------
// Garbage

#[test]
fn rejects_input_that_is_not_pem() {
    let key = key(Kind::P256, 0);
    let certificate = self_signed(key);
    let private = key_pem(key, KeyEncoding::Pkcs8);
    let der = pem::parse(&certificate).unwrap().into_contents();

    let cases: [(&[u8], &[u8], PemInput, &str); 5] = [
        (
            b"",
            private.as_bytes(),
            PemInput::Certificate,
            "it is empty",
        ),
        (
            certificate.as_bytes(),
            b" \n\t ",
            PemInput::PrivateKey,
            "it is empty",
        ),
        (
            b"hello world",
            private.as_bytes(),
            PemInput::Certificate,
            "no '-----BEGIN",
        ),
        (
            certificate.as_bytes(),
            b"\x00\xff\x13garbage",
            PemInput::PrivateKey,
            "no '-----BEGIN",
        ),
        (
            &der,
            private.as_bytes(),
            PemInput::Certificate,
            "binary DER",
        ),
    ];
    for (certificate, private, input, words) in cases {
        let error = validate_pair(certificate, private, now()).unwrap_err();
        assert!(
            matches!(error, TlsError::NotPem { input: found, .. } if found == input),
            "{error:?}"
        );
        assert_mentions(&error, &[&format!("the {input} is not PEM"), words]);
    }
}

#[test]
fn rejects_broken_pem_framing_and_base64() {
    let key = key(Kind::Rsa, 0);
    let certificate = self_signed(key);
    let private = key_pem(key, KeyEncoding::Pkcs8);

    let mismatched = certificate.replace("-----END CERTIFICATE-----", "-----END PRIVATE KEY-----");
    let error = rejected(&mismatched, &private);
    assert!(
        matches!(
            error,
            TlsError::MalformedPem {
                input: PemInput::Certificate,
                ..
            }
        ),
        "{error:?}"
    );
    assert_mentions(
        &error,
        &["begins with 'CERTIFICATE' but ends with 'PRIVATE KEY'"],
    );

    let truncated = private.replace("-----END PRIVATE KEY-----", "");
    let error = rejected(&certificate, &truncated);
    assert!(
        matches!(
            error,
            TlsError::MalformedPem {
                input: PemInput::PrivateKey,
                ..
            }
        ),
        "{error:?}"
    );
    assert_mentions(&error, &["missing its '-----END' line"]);

    let (leaf, ca) = issued(&signer(key));
    let half_chain = format!("{leaf}{}", ca.replace("-----END CERTIFICATE-----", ""));
    let error = rejected(&half_chain, &private);
    assert_mentions(
        &error,
        &["2 '-----BEGIN' line(s) but only 1 complete block(s)"],
    );

    let mut lines: Vec<&str> = private.lines().collect();
    lines[1] = "!!!! not base64 !!!!";
    let error = rejected(&certificate, &lines.join("\n"));
    assert!(
        matches!(
            error,
            TlsError::MalformedPem {
                input: PemInput::PrivateKey,
                ..
            }
        ),
        "{error:?}"
    );
    assert_mentions(
        &error,
        &["private key PEM is malformed", "not valid base64"],
    );

    // A blank line inside the body makes the first half look like headers.
    let mut lines: Vec<&str> = private.lines().collect();
    lines.insert(3, "");
    let error = rejected(&certificate, &lines.join("\n"));
    assert!(matches!(error, TlsError::MalformedPem { .. }), "{error:?}");
}

#[test]
fn rejects_certificate_blocks_that_hold_no_certificate() {
    let key = key(Kind::P256, 0);
    let private = key_pem(key, KeyEncoding::Pkcs8);
    let garbage = pem_text("CERTIFICATE", b"definitely not DER");
    let error = rejected(&garbage, &private);
    assert!(
        matches!(error, TlsError::MalformedCertificate { block: 1, .. }),
        "{error:?}"
    );
    assert_mentions(&error, &["certificate #1 is not a valid X.509 certificate"]);

    let mut der = pem::parse(self_signed(key)).unwrap().into_contents();
    der.push(0);
    let error = rejected(&pem_text("CERTIFICATE", &der), &private);
    assert_mentions(&error, &["unexpected data after the certificate"]);

    let chain = format!("{}{garbage}", self_signed(key));
    let error = rejected(&chain, &private);
    assert!(
        matches!(error, TlsError::MalformedCertificate { block: 2, .. }),
        "{error:?}"
    );
}

#[test]
fn rejects_malformed_private_key_structures_per_encoding() {
    let rsa = key(Kind::Rsa, 0);
    let p256 = key(Kind::P256, 0);
    let rsa_certificate = self_signed(rsa);
    let p256_certificate = self_signed(p256);
    let pkcs8_der = pem::parse(key_pem(rsa, KeyEncoding::Pkcs8))
        .unwrap()
        .into_contents();

    let cases = [
        (
            &rsa_certificate,
            pem_text("PRIVATE KEY", b"\x30\x80garbage"),
            KeyEncoding::Pkcs8,
            "unsupported length encoding",
        ),
        (
            &rsa_certificate,
            pem_text("PRIVATE KEY", &pkcs8_der[..pkcs8_der.len() - 10]),
            KeyEncoding::Pkcs8,
            "truncated",
        ),
        (
            &rsa_certificate,
            pem_text("PRIVATE KEY", &[pkcs8_der.as_slice(), &[5, 0]].concat()),
            KeyEncoding::Pkcs8,
            "unexpected data after the DER structure",
        ),
        (
            // A PKCS#8 structure under the PKCS#1 label.
            &rsa_certificate,
            pem_text("RSA PRIVATE KEY", &pkcs8_der),
            KeyEncoding::Pkcs1,
            "the modulus is missing",
        ),
        (
            &p256_certificate,
            pem_text("EC PRIVATE KEY", &sequence(&[integer(&[1])])),
            KeyEncoding::Sec1,
            "the privateKey OCTET STRING is missing",
        ),
        (
            &p256_certificate,
            pem_text("EC PRIVATE KEY", &sec1(&[7; 32], None, None)),
            KeyEncoding::Sec1,
            "does not name its curve",
        ),
        (
            &p256_certificate,
            pem_text(
                "EC PRIVATE KEY",
                &sec1(&[0xff; 32], Some(tlv(OID, OID_PRIME256V1)), None),
            ),
            KeyEncoding::Sec1,
            "not below the P-256 group order",
        ),
        (
            &p256_certificate,
            pem_text("PRIVATE KEY", &ed25519_pkcs8_v1(&[1; 31])),
            KeyEncoding::Pkcs8,
            "not 32 bytes long",
        ),
    ];
    for (certificate, private, encoding, words) in cases {
        let error = rejected(certificate, &private);
        assert!(
            matches!(error, TlsError::MalformedPrivateKey { encoding: found, .. } if found == encoding),
            "{words}: {error:?}"
        );
        assert_mentions(&error, &[&format!("not a valid {encoding} key"), words]);
    }
}

// -----------------------------------------------------------------------------------------
// Unsupported keys

#[test]
fn rejects_unsupported_curves_and_algorithms_on_either_side() {
    let p384 = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
    let p384_certificate = params("tenant.example.svc")
        .self_signed(&p384)
        .unwrap()
        .pem();
    let p256 = key(Kind::P256, 0);
    let (scalar, point) = p256_scalar_and_point(p256);
    let p256_certificate = self_signed(p256);
    let p256_private = key_pem(p256, KeyEncoding::Pkcs8);

    let error = rejected(
        &p256_certificate,
        &pem_text("PRIVATE KEY", &p384.serialize_der()),
    );
    assert!(
        matches!(&error, TlsError::UnsupportedKeyType { input: PemInput::PrivateKey, algorithm }
            if algorithm == "ECDSA curve P-384 (1.3.132.0.34)"),
        "{error:?}"
    );
    assert_mentions(
        &error,
        &["private key uses an unsupported key type", "ECDSA P-256"],
    );

    let error = rejected(&p384_certificate, &p256_private);
    assert!(
        matches!(&error, TlsError::UnsupportedKeyType { input: PemInput::Certificate, algorithm }
            if algorithm.contains("P-384")),
        "{error:?}"
    );
    assert_mentions(&error, &["the certificate uses an unsupported key type"]);

    let secp256k1 = [0x2b, 0x81, 0x04, 0x00, 0x0a];
    let error = rejected(
        &p256_certificate,
        &pem_text(
            "EC PRIVATE KEY",
            &sec1(&scalar, Some(tlv(OID, &secp256k1)), None),
        ),
    );
    assert_mentions(&error, &["secp256k1 (1.3.132.0.10)"]);

    let explicit = tlv(SEQUENCE, &integer(&[1]));
    let error = rejected(
        &p256_certificate,
        &pem_text(
            "EC PRIVATE KEY",
            &sec1(&scalar, Some(explicit), Some(&point)),
        ),
    );
    assert!(
        matches!(error, TlsError::UnsupportedKeyType { .. }),
        "{error:?}"
    );
    assert_mentions(&error, &["explicit curve parameters", "prime256v1"]);

    let ed448 = sequence(&[
        integer(&[0]),
        sequence(&[tlv(OID, OID_ED448)]),
        tlv(OCTET_STRING, &tlv(OCTET_STRING, &[9; 57])),
    ]);
    let error = rejected(&p256_certificate, &pem_text("PRIVATE KEY", &ed448));
    assert_mentions(&error, &["Ed448 (1.3.101.113)"]);

    let unknown = sequence(&[
        integer(&[0]),
        sequence(&[tlv(OID, &[0x2a, 0x03, 0x04])]),
        tlv(OCTET_STRING, &[1, 2, 3]),
    ]);
    let error = rejected(&p256_certificate, &pem_text("PRIVATE KEY", &unknown));
    assert_mentions(&error, &["algorithm (1.2.3.4)"]);

    let mut fields = rsa_fields(key(Kind::Rsa, 0));
    fields[0] = vec![1];
    let error = rejected(&self_signed(key(Kind::Rsa, 0)), &rsa_pem(&fields));
    assert_mentions(&error, &["multi-prime RSA"]);
}

#[test]
fn rejects_rsa_keys_below_2048_bits() {
    let weak = rsa::PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap();
    let public = RawPublicKey {
        der: weak
            .to_public_key()
            .to_pkcs1_der()
            .unwrap()
            .as_bytes()
            .to_vec(),
        algorithm: &PKCS_RSA_SHA256,
    };
    let (certificate, _) = issued(&public);
    let private = pem_text("RSA PRIVATE KEY", weak.to_pkcs1_der().unwrap().as_bytes());
    let error = rejected(&certificate, &private);
    assert!(
        matches!(error, TlsError::RsaKeyTooSmall { bits: 1024 }),
        "{error:?}"
    );
    assert_mentions(&error, &["RSA-1024", "too weak", "at least 2048 bits"]);
}

// -----------------------------------------------------------------------------------------
// Inconsistent keys

#[test]
fn rejects_rsa_keys_whose_components_do_not_fit_together() {
    let certificate = self_signed(key(Kind::Rsa, 0));
    let fields = rsa_fields(key(Kind::Rsa, 0));
    let other = rsa_fields(key(Kind::Rsa, 1));
    let one_more =
        |field: &[u8]| (BigUint::from_bytes_be(field) + BigUint::from(2u32)).to_bytes_be();
    // (index replaced, replacement, expected detail)
    let cases = [
        (
            3,
            other[3].clone(),
            "the private exponent does not invert the public exponent",
        ),
        (
            4,
            one_more(&fields[4]),
            "the modulus is not the product of the two primes",
        ),
        (6, one_more(&fields[6]), "the CRT exponents do not match"),
        (
            8,
            one_more(&fields[8]),
            "the CRT coefficient is not the inverse",
        ),
    ];
    for (index, replacement, words) in cases {
        let mut tampered = fields.clone();
        tampered[index] = replacement;
        let error = rejected(&certificate, &rsa_pem(&tampered));
        assert!(
            matches!(
                error,
                TlsError::InconsistentPrivateKey {
                    algorithm: KeyAlgorithm::Rsa { bits: 2048 },
                    ..
                }
            ),
            "{words}: {error:?}"
        );
        assert_mentions(
            &error,
            &["RSA-2048 private key is internally inconsistent", words],
        );
    }

    // The other key's public half with this key's private half: caught before comparing.
    let mut swapped = fields.clone();
    swapped[1] = other[1].clone();
    let error = rejected(&certificate, &rsa_pem(&swapped));
    assert!(
        matches!(error, TlsError::InconsistentPrivateKey { .. }),
        "{error:?}"
    );
    assert_eq!(error.reason(), "InconsistentPrivateKey");
}

#[test]
fn rejects_ec_and_ed25519_keys_with_a_foreign_embedded_public_key() {
    let p256 = key(Kind::P256, 0);
    let (scalar, _) = p256_scalar_and_point(p256);
    let (_, foreign_point) = p256_scalar_and_point(key(Kind::P256, 1));
    let private = pem_text(
        "EC PRIVATE KEY",
        &sec1(
            &scalar,
            Some(tlv(OID, OID_PRIME256V1)),
            Some(&foreign_point),
        ),
    );
    let error = rejected(&self_signed(p256), &private);
    assert!(
        matches!(
            error,
            TlsError::InconsistentPrivateKey {
                algorithm: KeyAlgorithm::EcdsaP256,
                ..
            }
        ),
        "{error:?}"
    );
    assert_mentions(
        &error,
        &["embedded public key does not belong to the private scalar"],
    );

    let ed = key(Kind::Ed25519, 0);
    let foreign = signer(key(Kind::Ed25519, 1));
    let v2 = sequence(&[
        integer(&[1]),
        sequence(&[tlv(OID, OID_ED25519)]),
        tlv(OCTET_STRING, &tlv(OCTET_STRING, &ed25519_seed(ed))),
        tlv(
            CONTEXT_1_PRIMITIVE,
            &[&[0u8][..], foreign.public_key_raw()].concat(),
        ),
    ]);
    let error = rejected(&self_signed(ed), &pem_text("PRIVATE KEY", &v2));
    assert!(
        matches!(
            error,
            TlsError::InconsistentPrivateKey {
                algorithm: KeyAlgorithm::Ed25519,
                ..
            }
        ),
        "{error:?}"
    );
}

// -----------------------------------------------------------------------------------------
// Chains

#[test]
fn accepts_a_chain_with_the_leaf_first() {
    for kind in KINDS {
        let key = key(kind, 0);
        let (leaf, ca) = issued(&signer(key));
        let private = key_pem(key, KeyEncoding::Pkcs8);
        let summary =
            validate_pair(format!("{leaf}{ca}").as_bytes(), private.as_bytes(), now()).unwrap();
        assert_eq!(summary.chain_length, 2);
        assert_eq!(summary.subject, "CN=tenant.example.svc");
        assert_eq!(summary.issuer, "CN=Test CA");
        assert_eq!(summary.key_algorithm, algorithm(kind));
    }
}

#[test]
fn rejects_a_chain_with_the_leaf_not_first() {
    let owner = key(Kind::Rsa, 0);
    let (leaf, ca) = issued(&signer(owner));
    let private = key_pem(owner, KeyEncoding::Pkcs1);
    let error = rejected(&format!("{ca}{leaf}"), &private);
    assert!(
        matches!(
            error,
            TlsError::LeafNotFirst {
                position: 2,
                chain_length: 2
            }
        ),
        "{error:?}"
    );
    assert_mentions(
        &error,
        &[
            "certificate #2 of the 2",
            "put the leaf (server) certificate first",
        ],
    );

    let stranger = key_pem(key(Kind::Rsa, 1), KeyEncoding::Pkcs1);
    let error = rejected(&format!("{leaf}{ca}"), &stranger);
    assert!(matches!(error, TlsError::KeyMismatch { .. }), "{error:?}");
}

#[test]
fn only_the_leaf_validity_counts() {
    let key = key(Kind::P256, 0);
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = params("Old CA");
    ca_params.not_before = date_time_ymd(2000, 1, 1);
    ca_params.not_after = date_time_ymd(2001, 1, 1);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf = params("tenant.example.svc")
        .signed_by(&signer(key), &issuer)
        .unwrap();
    let chain = format!("{}{}", leaf.pem(), ca.pem());
    let summary = validate_pair(
        chain.as_bytes(),
        key_pem(key, KeyEncoding::Sec1).as_bytes(),
        now(),
    )
    .unwrap();
    assert_eq!(summary.issuer, "CN=Old CA");
}

// -----------------------------------------------------------------------------------------
// Helpers

#[test]
fn dotted_oids_and_labels_are_rendered_safely() {
    assert_eq!(dotted(OID_ED25519), "1.3.101.112");
    assert_eq!(dotted(OID_PRIME256V1), "1.2.840.10045.3.1.7");
    assert_eq!(dotted(&[0x88, 0x37]), "2.999");
    assert_eq!(dotted(&[0x2a, 0x86]), "an invalid OID");
    assert_eq!(dotted(&[]), "an invalid OID");
    assert_eq!(printable_label("EC\u{7}PRIVATE\nKEY"), "ECPRIVATEKEY");
    assert_eq!(
        printable_label(&"X".repeat(50)),
        format!("{}...", "X".repeat(40))
    );
}

#[test]
fn missing_names_honours_single_label_wildcards() {
    let have = vec![
        "*.t-hl.ns.svc.cluster.local".to_owned(),
        "T-IO.ns.svc.cluster.local.".to_owned(),
    ];
    let want = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        missing_names(
            &have,
            &want(&[
                "t-p0-0.t-hl.ns.svc.cluster.local",
                "t-io.ns.svc.cluster.local",
            ])
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        missing_names(
            &have,
            &want(&[
                "a.b.t-hl.ns.svc.cluster.local",
                "t-hl.ns.svc.cluster.local",
                "t-console.ns.svc.cluster.local",
            ])
        ),
        want(&[
            "a.b.t-hl.ns.svc.cluster.local",
            "t-hl.ns.svc.cluster.local",
            "t-console.ns.svc.cluster.local",
        ])
    );
}
