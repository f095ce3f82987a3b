// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Validation of a TLS certificate and private key pair given as PEM, the way users put them
//! into `kubernetes.io/tls` Secrets (`tls.crt` and `tls.key`).
//!
//! [`validate_pair`] checks, in this order:
//! 1. the certificate input is PEM holding only `CERTIFICATE` blocks (the leaf first, then any
//!    intermediates), each a well-formed X.509 certificate;
//! 2. the key input is PEM holding exactly one unencrypted private key: PKCS#1
//!    (`RSA PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`, optionally after an `EC PARAMETERS` block) or
//!    PKCS#8 (`PRIVATE KEY`), of type RSA (at least 2048 bits), ECDSA P-256 or Ed25519;
//! 3. the private key is internally consistent, and the public key derived from it equals the
//!    public key in the leaf certificate;
//! 4. `now` lies inside the leaf certificate's validity period.
//!
//! Every error says what is wrong and how to fix it. No error message ever contains key
//! material: details come from fixed texts, PEM labels, algorithm names and dates only.

use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, SecondsFormat, Utc};
use num_bigint::BigUint;
use p256::elliptic_curve::zeroize::Zeroizing;
use snafu::Snafu;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::time::ASN1Time;

/// RSA keys shorter than this are rejected as too weak.
pub const MIN_RSA_BITS: u64 = 2048;
/// RSA keys longer than this are rejected as unsupported.
pub const MAX_RSA_BITS: u64 = 16384;

/// Which of the two inputs a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemInput {
    /// The certificate (chain) PEM, `tls.crt`.
    Certificate,
    /// The private key PEM, `tls.key`.
    PrivateKey,
}

impl fmt::Display for PemInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Certificate => "certificate",
            Self::PrivateKey => "private key",
        })
    }
}

/// The type of a public or private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Length of the modulus in bits.
        bits: u64,
    },
    /// ECDSA on the NIST P-256 curve (prime256v1, secp256r1).
    EcdsaP256,
    /// Ed25519.
    Ed25519,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA-{bits}"),
            Self::EcdsaP256 => f.write_str("ECDSA P-256"),
            Self::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

/// How a private key was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEncoding {
    /// PKCS#1 `RSAPrivateKey`, PEM label `RSA PRIVATE KEY`.
    Pkcs1,
    /// PKCS#8 `PrivateKeyInfo`/`OneAsymmetricKey`, PEM label `PRIVATE KEY`.
    Pkcs8,
    /// SEC1 `ECPrivateKey`, PEM label `EC PRIVATE KEY`.
    Sec1,
}

impl fmt::Display for KeyEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pkcs1 => "PKCS#1",
            Self::Pkcs8 => "PKCS#8",
            Self::Sec1 => "SEC1",
        })
    }
}

/// What a valid certificate and key pair looks like, for status and conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// Subject distinguished name of the leaf certificate, e.g. `CN=tenant.example`.
    pub subject: String,
    /// Issuer distinguished name of the leaf certificate.
    pub issuer: String,
    /// Serial number of the leaf certificate, hex bytes separated by `:`.
    pub serial: String,
    /// DNS names from the leaf's subjectAltName extension, in certificate order.
    pub dns_names: Vec<String>,
    /// IP addresses from the leaf's subjectAltName extension, in certificate order.
    pub ip_addresses: Vec<IpAddr>,
    /// Start of the leaf's validity period (notBefore).
    pub not_before: DateTime<Utc>,
    /// End of the leaf's validity period (notAfter), inclusive.
    pub not_after: DateTime<Utc>,
    /// Type of the key pair.
    pub key_algorithm: KeyAlgorithm,
    /// Encoding the private key was given in.
    pub key_encoding: KeyEncoding,
    /// Number of certificates in the certificate input (1 for a lone leaf).
    pub chain_length: usize,
}

/// Why a certificate and key pair was rejected.
#[derive(Debug, Snafu, strum::IntoStaticStr)]
#[non_exhaustive]
pub enum TlsError {
    /// The input contains no PEM block at all.
    #[snafu(display("the {input} is not PEM: {detail}"))]
    NotPem {
        /// Which input.
        input: PemInput,
        /// What was found instead.
        detail: &'static str,
    },

    /// The input has PEM framing, but a block is broken.
    #[snafu(display("the {input} PEM is malformed: {detail}"))]
    MalformedPem {
        /// Which input.
        input: PemInput,
        /// What is broken.
        detail: String,
    },

    /// A PEM block of the wrong type, e.g. a key where a certificate is expected.
    #[snafu(display("{}", wrong_pem_type_message(*input, found, *block)))]
    WrongPemType {
        /// Which input.
        input: PemInput,
        /// The PEM label found.
        found: String,
        /// 1-based position of the offending block in the input.
        block: usize,
    },

    /// The private key is password-protected.
    #[snafu(display(
        "the private key is encrypted; supply it unencrypted (for example decrypt it with \
         `openssl pkey -in key.pem -out key-plain.pem`)"
    ))]
    EncryptedPrivateKey,

    /// The key input holds more than one private key.
    #[snafu(display(
        "the private key PEM holds {count} private keys; it must hold exactly one, the key of \
         the first certificate"
    ))]
    MultiplePrivateKeys {
        /// How many private keys were found.
        count: usize,
    },

    /// A `CERTIFICATE` block does not hold a valid X.509 certificate.
    #[snafu(display("certificate #{block} is not a valid X.509 certificate: {detail}"))]
    MalformedCertificate {
        /// 1-based position of the certificate in the chain.
        block: usize,
        /// What is wrong.
        detail: String,
    },

    /// The private key's DER structure is broken.
    #[snafu(display("the private key is not a valid {encoding} key: {detail}"))]
    MalformedPrivateKey {
        /// The encoding announced by the PEM label.
        encoding: KeyEncoding,
        /// What is wrong.
        detail: &'static str,
    },

    /// A key type or curve other than RSA, ECDSA P-256 and Ed25519.
    #[snafu(display(
        "the {input} uses an unsupported key type: {algorithm}; supported are RSA (2048 bits or \
         more), ECDSA P-256 and Ed25519"
    ))]
    UnsupportedKeyType {
        /// Which input.
        input: PemInput,
        /// Name of the algorithm or curve found.
        algorithm: String,
    },

    /// An RSA private key below [`MIN_RSA_BITS`].
    #[snafu(display(
        "the private key is RSA-{bits}, which is too weak: RSA keys need at least {} bits",
        MIN_RSA_BITS
    ))]
    RsaKeyTooSmall {
        /// Length of the modulus in bits.
        bits: u64,
    },

    /// The components of the private key do not fit together.
    #[snafu(display(
        "the {algorithm} private key is internally inconsistent ({detail}): it is corrupt or was \
         assembled from different keys"
    ))]
    InconsistentPrivateKey {
        /// Type of the private key.
        algorithm: KeyAlgorithm,
        /// Which relation does not hold.
        detail: &'static str,
    },

    /// The private key does not belong to the certificate.
    #[snafu(display("{}", mismatch_message(*certificate_key, *private_key)))]
    KeyMismatch {
        /// Type of the leaf certificate's public key.
        certificate_key: KeyAlgorithm,
        /// Type of the private key.
        private_key: KeyAlgorithm,
    },

    /// The private key belongs to a later certificate of the chain, not to the first one.
    #[snafu(display(
        "the private key belongs to certificate #{position} of the {chain_length} in the \
         certificate PEM, not to the first one: put the leaf (server) certificate first, then \
         its issuers"
    ))]
    LeafNotFirst {
        /// 1-based position of the certificate the key belongs to.
        position: usize,
        /// Number of certificates in the input.
        chain_length: usize,
    },

    /// The leaf certificate's notAfter lies before `now`.
    #[snafu(display(
        "the certificate expired: it was valid until {} (notAfter) and it is now {}; renew it",
        rfc3339(not_after),
        rfc3339(now)
    ))]
    CertificateExpired {
        /// End of the validity period.
        not_after: DateTime<Utc>,
        /// The time checked against.
        now: DateTime<Utc>,
    },

    /// The leaf certificate's notBefore lies after `now`.
    #[snafu(display(
        "the certificate is not yet valid: it is valid from {} (notBefore) but it is now {}; \
         check the clock of the issuing system or wait",
        rfc3339(not_before),
        rfc3339(now)
    ))]
    CertificateNotYetValid {
        /// Start of the validity period.
        not_before: DateTime<Utc>,
        /// The time checked against.
        now: DateTime<Utc>,
    },
}

impl TlsError {
    /// A short CamelCase name of the problem, usable as a Kubernetes condition reason.
    pub fn reason(&self) -> &'static str {
        self.into()
    }
}

fn rfc3339(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn wrong_pem_type_message(input: PemInput, found: &str, block: usize) -> String {
    match input {
        PemInput::Certificate => {
            let hint = if found.contains("PRIVATE KEY") && block > 1 {
                ": that is a private key; keep it out of the certificate PEM"
            } else if found.contains("PRIVATE KEY") {
                ": that is a private key; are the certificate and the key swapped?"
            } else if found.contains("CERTIFICATE REQUEST") {
                ": that is a certificate signing request; have it signed and use the certificate"
            } else if found.contains("PUBLIC KEY") {
                ": that is a bare public key; a certificate is needed"
            } else {
                ""
            };
            format!(
                "the certificate PEM must hold only 'CERTIFICATE' blocks, but block #{block} is \
                 '{found}'{hint}"
            )
        }
        PemInput::PrivateKey => {
            let hint = if found.contains("CERTIFICATE") {
                ": that is a certificate; are the certificate and the key swapped?"
            } else if found.contains("PUBLIC KEY") {
                ": that is a public key; the private key is needed"
            } else {
                ""
            };
            format!(
                "the private key PEM must hold a 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE \
                 KEY' block, but block #{block} is '{found}'{hint}"
            )
        }
    }
}

fn mismatch_message(certificate_key: KeyAlgorithm, private_key: KeyAlgorithm) -> String {
    if certificate_key == private_key {
        format!(
            "the private key does not belong to the certificate: both are {certificate_key}, but \
             the certificate holds a different public key; supply the key the certificate was \
             issued for"
        )
    } else {
        format!(
            "the private key does not belong to the certificate: the certificate holds an \
             {certificate_key} public key but the private key is {private_key}"
        )
    }
}

/// Validates a certificate (chain, leaf first) and private key pair given as PEM, at time `now`.
pub fn validate_pair(
    certificate_pem: &[u8],
    key_pem: &[u8],
    now: DateTime<Utc>,
) -> Result<CertificateSummary, TlsError> {
    let certificate_blocks = read_pem(certificate_pem, PemInput::Certificate)?;
    if let Some((index, block)) = certificate_blocks
        .iter()
        .enumerate()
        .find(|(_, block)| block.label != "CERTIFICATE")
    {
        return WrongPemTypeSnafu {
            input: PemInput::Certificate,
            found: block.label.clone(),
            block: index + 1,
        }
        .fail();
    }
    let chain = certificate_blocks
        .iter()
        .enumerate()
        .map(|(index, block)| parse_certificate(index + 1, &block.der))
        .collect::<Result<Vec<_>, _>>()?;
    let leaf = &chain[0];

    let (private_key, key_encoding) = parse_private_key(key_pem)?;
    let certificate_key =
        spki_public_key(leaf.public_key().raw).map_err(|problem| problem.in_certificate(1))?;

    if certificate_key != private_key {
        let owner = chain.iter().enumerate().skip(1).find(|(_, certificate)| {
            spki_public_key(certificate.public_key().raw).is_ok_and(|key| key == private_key)
        });
        if let Some((index, _)) = owner {
            return LeafNotFirstSnafu {
                position: index + 1,
                chain_length: chain.len(),
            }
            .fail();
        }
        return KeyMismatchSnafu {
            certificate_key: certificate_key.algorithm(),
            private_key: private_key.algorithm(),
        }
        .fail();
    }

    let not_before = to_datetime(leaf.validity().not_before)?;
    let not_after = to_datetime(leaf.validity().not_after)?;
    if now < not_before {
        return CertificateNotYetValidSnafu { not_before, now }.fail();
    }
    if now > not_after {
        return CertificateExpiredSnafu { not_after, now }.fail();
    }

    let mut dns_names = Vec::new();
    let mut ip_addresses = Vec::new();
    let alternative_names =
        leaf.subject_alternative_name()
            .map_err(|error| TlsError::MalformedCertificate {
                block: 1,
                detail: format!("its subjectAltName extension is invalid: {error}"),
            })?;
    for name in alternative_names
        .iter()
        .flat_map(|ext| &ext.value.general_names)
    {
        match name {
            GeneralName::DNSName(dns) => dns_names.push((*dns).to_string()),
            GeneralName::IPAddress(bytes) => {
                if let Ok(octets) = <[u8; 4]>::try_from(*bytes) {
                    ip_addresses.push(IpAddr::from(octets));
                } else if let Ok(octets) = <[u8; 16]>::try_from(*bytes) {
                    ip_addresses.push(IpAddr::from(octets));
                }
            }
            _ => {}
        }
    }

    Ok(CertificateSummary {
        subject: leaf.subject().to_string(),
        issuer: leaf.issuer().to_string(),
        serial: leaf.raw_serial_as_string(),
        dns_names,
        ip_addresses,
        not_before,
        not_after,
        key_algorithm: private_key.algorithm(),
        key_encoding,
        chain_length: chain.len(),
    })
}

/// The names of `required` that no DNS name of a certificate covers, in order. A wildcard
/// `*.example.com` covers exactly one label (`a.example.com`, not `a.b.example.com` nor
/// `example.com`); names compare case-insensitively, a trailing dot ignored.
pub fn missing_names(dns_names: &[String], required: &[String]) -> Vec<String> {
    let norm = |s: &str| s.trim_end_matches('.').to_ascii_lowercase();
    let covers = |pattern: &str, name: &str| {
        let (pattern, name) = (norm(pattern), norm(name));
        match pattern.strip_prefix("*.") {
            Some(suffix) => name
                .split_once('.')
                .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
            None => pattern == name,
        }
    };
    required
        .iter()
        .filter(|name| !dns_names.iter().any(|p| covers(p, name)))
        .cloned()
        .collect()
}

/// [`validate_pair`] at the current system time.
pub fn validate_pair_now(
    certificate_pem: &[u8],
    key_pem: &[u8],
) -> Result<CertificateSummary, TlsError> {
    validate_pair(certificate_pem, key_pem, Utc::now())
}

fn to_datetime(time: ASN1Time) -> Result<DateTime<Utc>, TlsError> {
    DateTime::from_timestamp(time.timestamp(), 0).ok_or_else(|| TlsError::MalformedCertificate {
        block: 1,
        detail: "its validity period lies outside the representable time range".to_string(),
    })
}

fn parse_certificate(block: usize, der: &[u8]) -> Result<X509Certificate<'_>, TlsError> {
    let (rest, certificate) = x509_parser::parse_x509_certificate(der).map_err(|error| {
        TlsError::MalformedCertificate {
            block,
            detail: error.to_string(),
        }
    })?;
    if !rest.is_empty() {
        return MalformedCertificateSnafu {
            block,
            detail: "unexpected data after the certificate",
        }
        .fail();
    }
    Ok(certificate)
}

// ---------------------------------------------------------------------------------------------
// PEM

/// One decoded PEM block. The DER is wiped from memory when dropped: it may be a private key.
struct PemBlock {
    label: String,
    encrypted: bool,
    der: Zeroizing<Vec<u8>>,
}

fn read_pem(input: &[u8], which: PemInput) -> Result<Vec<PemBlock>, TlsError> {
    let Some(first) = input.iter().find(|byte| !byte.is_ascii_whitespace()) else {
        return NotPemSnafu {
            input: which,
            detail: "it is empty",
        }
        .fail();
    };
    let begin_lines = input
        .windows(BEGIN_MARKER.len())
        .filter(|window| *window == BEGIN_MARKER)
        .count();
    if begin_lines == 0 {
        let detail = if *first == 0x30 {
            "it looks like binary DER; convert it to PEM (for example with `openssl x509 -outform \
             pem` or `openssl pkey -outform pem`)"
        } else {
            "no '-----BEGIN ...-----' line found"
        };
        return NotPemSnafu {
            input: which,
            detail,
        }
        .fail();
    }
    let blocks = pem::parse_many(input).map_err(|error| TlsError::MalformedPem {
        input: which,
        detail: describe_pem_error(&error),
    })?;
    if blocks.len() != begin_lines {
        return MalformedPemSnafu {
            input: which,
            detail: format!(
                "it has {begin_lines} '-----BEGIN' line(s) but only {} complete block(s); a \
                 block is missing its '-----END' line",
                blocks.len()
            ),
        }
        .fail();
    }
    Ok(blocks
        .into_iter()
        .map(|block| PemBlock {
            label: printable_label(block.tag()),
            encrypted: block
                .headers()
                .get("Proc-Type")
                .is_some_and(|value| value.contains("ENCRYPTED")),
            der: Zeroizing::new(block.into_contents()),
        })
        .collect())
}

const BEGIN_MARKER: &[u8] = b"-----BEGIN ";

/// Describes a PEM parse error with fixed texts: the parser's own messages may quote data lines.
fn describe_pem_error(error: &pem::PemError) -> String {
    match error {
        pem::PemError::MismatchedTags(begin, end) => format!(
            "a block begins with '{}' but ends with '{}'",
            printable_label(begin),
            printable_label(end)
        ),
        pem::PemError::MalformedFraming
        | pem::PemError::MissingBeginTag
        | pem::PemError::MissingEndTag => {
            "a block's '-----BEGIN' or '-----END' line is malformed".to_string()
        }
        pem::PemError::MissingData => "a block has no data".to_string(),
        pem::PemError::InvalidData(_) => {
            "a block's body is not valid base64 (is it truncated or corrupted?)".to_string()
        }
        pem::PemError::InvalidHeader(_) => {
            "a block has an invalid header line or a blank line inside its body".to_string()
        }
        pem::PemError::NotUtf8(_) => "a block is not valid UTF-8 text".to_string(),
    }
}

/// A PEM label fit for an error message: printable ASCII, at most 40 characters.
fn printable_label(label: &str) -> String {
    let mut printable: String = label
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(41)
        .collect();
    if printable.len() > 40 {
        printable.truncate(40);
        printable.push_str("...");
    }
    printable
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A public key, either from a certificate or derived from a private key.
#[derive(PartialEq, Eq)]
enum PublicKey {
    Rsa { n: BigUint, e: BigUint },
    P256(p256::PublicKey),
    Ed25519([u8; 32]),
}

impl PublicKey {
    fn algorithm(&self) -> KeyAlgorithm {
        match self {
            Self::Rsa { n, .. } => KeyAlgorithm::Rsa { bits: n.bits() },
            Self::P256(_) => KeyAlgorithm::EcdsaP256,
            Self::Ed25519(_) => KeyAlgorithm::Ed25519,
        }
    }
}

/// A problem with a key structure, before it is known which input it came from.
#[derive(Debug)]
enum KeyProblem {
    Malformed(&'static str),
    Unsupported(String),
    TooSmall(u64),
    Inconsistent(KeyAlgorithm, &'static str),
}

impl From<&'static str> for KeyProblem {
    fn from(detail: &'static str) -> Self {
        Self::Malformed(detail)
    }
}

impl KeyProblem {
    fn in_private_key(self, encoding: KeyEncoding) -> TlsError {
        match self {
            Self::Malformed(detail) => TlsError::MalformedPrivateKey { encoding, detail },
            Self::Unsupported(algorithm) => TlsError::UnsupportedKeyType {
                input: PemInput::PrivateKey,
                algorithm,
            },
            Self::TooSmall(bits) => TlsError::RsaKeyTooSmall { bits },
            Self::Inconsistent(algorithm, detail) => {
                TlsError::InconsistentPrivateKey { algorithm, detail }
            }
        }
    }

    fn in_certificate(self, block: usize) -> TlsError {
        match self {
            Self::Unsupported(algorithm) => TlsError::UnsupportedKeyType {
                input: PemInput::Certificate,
                algorithm,
            },
            Self::Malformed(detail) | Self::Inconsistent(_, detail) => {
                TlsError::MalformedCertificate {
                    block,
                    detail: format!("its public key is malformed: {detail}"),
                }
            }
            Self::TooSmall(bits) => TlsError::MalformedCertificate {
                block,
                detail: format!("its RSA public key has only {bits} bits"),
            },
        }
    }
}

fn parse_private_key(input: &[u8]) -> Result<(PublicKey, KeyEncoding), TlsError> {
    let blocks = read_pem(input, PemInput::PrivateKey)?;
    let mut keys = Vec::new();
    for (index, block) in blocks.iter().enumerate() {
        let encoding = match block.label.as_str() {
            "PRIVATE KEY" => KeyEncoding::Pkcs8,
            "RSA PRIVATE KEY" => KeyEncoding::Pkcs1,
            "EC PRIVATE KEY" => KeyEncoding::Sec1,
            // `openssl ecparam -genkey` writes the curve name in its own block first.
            "EC PARAMETERS" => continue,
            "ENCRYPTED PRIVATE KEY" => return EncryptedPrivateKeySnafu.fail(),
            other => {
                return WrongPemTypeSnafu {
                    input: PemInput::PrivateKey,
                    found: other,
                    block: index + 1,
                }
                .fail();
            }
        };
        if block.encrypted {
            return EncryptedPrivateKeySnafu.fail();
        }
        keys.push((encoding, &block.der));
    }
    let (encoding, der) = match keys.as_slice() {
        [key] => *key,
        [] => {
            return WrongPemTypeSnafu {
                input: PemInput::PrivateKey,
                found: blocks[0].label.clone(),
                block: 1usize,
            }
            .fail();
        }
        more => return MultiplePrivateKeysSnafu { count: more.len() }.fail(),
    };
    let public = match encoding {
        KeyEncoding::Pkcs8 => parse_pkcs8(der),
        KeyEncoding::Pkcs1 => parse_pkcs1(der),
        KeyEncoding::Sec1 => parse_sec1(der, None),
    }
    .map_err(|problem| problem.in_private_key(encoding))?;
    Ok((public, encoding))
}

/// PKCS#8 `PrivateKeyInfo` (RFC 5208) or `OneAsymmetricKey` (RFC 5958).
fn parse_pkcs8(der: &[u8]) -> Result<PublicKey, KeyProblem> {
    let mut info = Der::new(whole(der, SEQUENCE, "expected a PrivateKeyInfo SEQUENCE")?);
    if info.small_uint("the version is missing")? > 1 {
        return Err("the version is neither 1 nor 2".into());
    }
    let (algorithm, parameters) = algorithm_identifier(&mut info)?;
    let private_key = info.expect(OCTET_STRING, "the privateKey OCTET STRING is missing")?;
    let _attributes = info.optional(CONTEXT_0_CONSTRUCTED)?;
    let embedded_public = info.optional_any(&[CONTEXT_1_PRIMITIVE, CONTEXT_1_CONSTRUCTED])?;
    info.finish("unexpected data after the private key")?;

    match algorithm {
        OID_RSA_ENCRYPTION => {
            if !matches!(parameters, None | Some((NULL, []))) {
                return Err("the RSA algorithm parameters are not NULL".into());
            }
            parse_pkcs1(private_key)
        }
        OID_EC_PUBLIC_KEY => parse_sec1(private_key, Some(named_curve(parameters)?)),
        OID_ED25519 => {
            if parameters.is_some() {
                return Err("the Ed25519 algorithm has parameters".into());
            }
            let seed = whole(
                private_key,
                OCTET_STRING,
                "the Ed25519 private key is not an OCTET STRING",
            )?;
            let public = ed25519_public_key(seed)?;
            if let Some((tag, value)) = embedded_public {
                let bits = if tag == CONTEXT_1_PRIMITIVE {
                    value
                } else {
                    whole(
                        value,
                        BIT_STRING,
                        "the embedded public key is not a BIT STRING",
                    )?
                };
                if bit_string_bytes(bits)? != public.as_slice() {
                    return Err(KeyProblem::Inconsistent(
                        KeyAlgorithm::Ed25519,
                        "the embedded public key does not belong to the private key",
                    ));
                }
            }
            Ok(PublicKey::Ed25519(public))
        }
        other => Err(KeyProblem::Unsupported(algorithm_name(other))),
    }
}

fn ed25519_public_key(seed: &[u8]) -> Result<[u8; 32], KeyProblem> {
    use ring::signature::KeyPair as _;

    if seed.len() != 32 {
        return Err("the Ed25519 private key is not 32 bytes long".into());
    }
    let key_pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed)
        .map_err(|_| "the Ed25519 private key was rejected")?;
    let public = <[u8; 32]>::try_from(key_pair.public_key().as_ref())
        .map_err(|_| "the derived Ed25519 public key is not 32 bytes long")?;
    Ok(public)
}

/// PKCS#1 `RSAPrivateKey` (RFC 8017 appendix A.1.2).
fn parse_pkcs1(der: &[u8]) -> Result<PublicKey, KeyProblem> {
    let mut key = Der::new(whole(der, SEQUENCE, "expected an RSAPrivateKey SEQUENCE")?);
    match key.small_uint("the version is missing")? {
        0 => {}
        1 => {
            return Err(KeyProblem::Unsupported(
                "multi-prime RSA (more than two primes)".to_string(),
            ));
        }
        _ => return Err("the RSAPrivateKey version is unknown".into()),
    }
    let n = key.big_uint("the modulus is missing")?;
    let e = key.big_uint("the public exponent is missing")?;
    let d = key.big_uint("the private exponent is missing")?;
    let p = key.big_uint("the first prime is missing")?;
    let q = key.big_uint("the second prime is missing")?;
    let dp = key.big_uint("the first CRT exponent is missing")?;
    let dq = key.big_uint("the second CRT exponent is missing")?;
    let q_inv = key.big_uint("the CRT coefficient is missing")?;
    key.finish("unexpected data after the CRT coefficient")?;

    let bits = n.bits();
    if bits < MIN_RSA_BITS {
        return Err(KeyProblem::TooSmall(bits));
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyProblem::Unsupported(format!(
            "RSA-{bits} (more than {MAX_RSA_BITS} bits)"
        )));
    }
    let inconsistent = |detail| Err(KeyProblem::Inconsistent(KeyAlgorithm::Rsa { bits }, detail));
    let one = BigUint::from(1u32);
    let three = BigUint::from(3u32);
    if p < three || q < three {
        return inconsistent("a prime factor is smaller than 3");
    }
    if &p * &q != n {
        return inconsistent("the modulus is not the product of the two primes");
    }
    let p1 = &p - &one;
    let q1 = &q - &one;
    let de = &d * &e;
    // d * e = 1 modulo lcm(p - 1, q - 1) if and only if it holds modulo p - 1 and modulo q - 1.
    if &de % &p1 != one || &de % &q1 != one {
        return inconsistent("the private exponent does not invert the public exponent");
    }
    if dp != &d % &p1 || dq != &d % &q1 {
        return inconsistent("the CRT exponents do not match the private exponent");
    }
    if (&q_inv * &q) % &p != one {
        return inconsistent("the CRT coefficient is not the inverse of q modulo p");
    }
    Ok(PublicKey::Rsa { n, e })
}

/// SEC1 `ECPrivateKey` (RFC 5915). `outer_curve` is the curve named by an enclosing PKCS#8.
fn parse_sec1(der: &[u8], outer_curve: Option<&[u8]>) -> Result<PublicKey, KeyProblem> {
    let mut key = Der::new(whole(der, SEQUENCE, "expected an ECPrivateKey SEQUENCE")?);
    if key.small_uint("the version is missing")? != 1 {
        return Err("the ECPrivateKey version is not 1".into());
    }
    let scalar = key.expect(OCTET_STRING, "the privateKey OCTET STRING is missing")?;
    let parameters = key.optional(CONTEXT_0_CONSTRUCTED)?;
    let embedded_public = key.optional(CONTEXT_1_CONSTRUCTED)?;
    key.finish("unexpected data after the public key")?;

    let inner_curve = match parameters {
        None => None,
        Some(parameters) => {
            let mut parameters = Der::new(parameters);
            let choice = parameters.any()?;
            parameters.finish("unexpected data after the curve parameters")?;
            Some(named_curve(Some(choice))?)
        }
    };
    let curve = match (outer_curve, inner_curve) {
        (Some(outer), Some(inner)) if outer != inner => {
            return Err("the curve in the ECPrivateKey differs from the PKCS#8 algorithm's".into());
        }
        (Some(curve), _) | (None, Some(curve)) => curve,
        (None, None) => return Err("the EC key does not name its curve".into()),
    };
    if curve != OID_PRIME256V1 {
        return Err(KeyProblem::Unsupported(format!(
            "ECDSA curve {}",
            curve_name(curve)
        )));
    }

    // RFC 5915 fixes the length at 32 bytes; tolerate encoders that add or drop leading zeros.
    let start = scalar
        .iter()
        .position(|byte| *byte != 0)
        .unwrap_or(scalar.len());
    let significant = &scalar[start..];
    if significant.len() > 32 {
        return Err("the private scalar is longer than a P-256 key".into());
    }
    let mut padded = Zeroizing::new([0u8; 32]);
    padded[32 - significant.len()..].copy_from_slice(significant);
    let secret = p256::SecretKey::from_slice(padded.as_slice())
        .map_err(|_| "the private scalar is zero or not below the P-256 group order")?;
    let derived = secret.public_key();

    if let Some(embedded) = embedded_public {
        let bits = whole(
            embedded,
            BIT_STRING,
            "the embedded public key is not a BIT STRING",
        )?;
        let point = p256::PublicKey::from_sec1_bytes(bit_string_bytes(bits)?)
            .map_err(|_| "the embedded public key is not a P-256 point")?;
        if point != derived {
            return Err(KeyProblem::Inconsistent(
                KeyAlgorithm::EcdsaP256,
                "the embedded public key does not belong to the private scalar",
            ));
        }
    }
    Ok(PublicKey::P256(derived))
}

/// X.509 `SubjectPublicKeyInfo` (RFC 5280 section 4.1).
fn spki_public_key(der: &[u8]) -> Result<PublicKey, KeyProblem> {
    let mut info = Der::new(whole(
        der,
        SEQUENCE,
        "expected a SubjectPublicKeyInfo SEQUENCE",
    )?);
    let (algorithm, parameters) = algorithm_identifier(&mut info)?;
    let bits = bit_string_bytes(info.expect(BIT_STRING, "the public key BIT STRING is missing")?)?;
    info.finish("unexpected data after the public key")?;

    match algorithm {
        OID_RSA_ENCRYPTION => {
            let mut key = Der::new(whole(
                bits,
                SEQUENCE,
                "the RSA public key is not a SEQUENCE",
            )?);
            let n = key.big_uint("the RSA modulus is missing")?;
            let e = key.big_uint("the RSA public exponent is missing")?;
            key.finish("unexpected data after the RSA public exponent")?;
            Ok(PublicKey::Rsa { n, e })
        }
        OID_EC_PUBLIC_KEY => {
            let curve = named_curve(parameters)?;
            if curve != OID_PRIME256V1 {
                return Err(KeyProblem::Unsupported(format!(
                    "ECDSA curve {}",
                    curve_name(curve)
                )));
            }
            let point = p256::PublicKey::from_sec1_bytes(bits)
                .map_err(|_| "the EC public key is not a P-256 point")?;
            Ok(PublicKey::P256(point))
        }
        OID_ED25519 => {
            let key = <[u8; 32]>::try_from(bits)
                .map_err(|_| "the Ed25519 public key is not 32 bytes long")?;
            Ok(PublicKey::Ed25519(key))
        }
        other => Err(KeyProblem::Unsupported(algorithm_name(other))),
    }
}

type Parameters<'a> = Option<(u8, &'a [u8])>;

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`
fn algorithm_identifier<'a>(der: &mut Der<'a>) -> Result<(&'a [u8], Parameters<'a>), KeyProblem> {
    let mut identifier = Der::new(der.expect(SEQUENCE, "the AlgorithmIdentifier is missing")?);
    let algorithm = identifier.expect(OID, "the algorithm OBJECT IDENTIFIER is missing")?;
    let parameters = if identifier.is_empty() {
        None
    } else {
        Some(identifier.any()?)
    };
    identifier.finish("unexpected data after the algorithm parameters")?;
    Ok((algorithm, parameters))
}

/// The curve OID of `ECParameters ::= CHOICE { namedCurve OID, implicitCurve NULL, specifiedCurve }`.
fn named_curve(parameters: Parameters<'_>) -> Result<&[u8], KeyProblem> {
    match parameters {
        Some((OID, curve)) => Ok(curve),
        Some((SEQUENCE, _)) => Err(KeyProblem::Unsupported(
            "EC key with explicit curve parameters (use the named curve prime256v1)".to_string(),
        )),
        Some((NULL, _)) | None => Err("the EC key does not name its curve".into()),
        Some(_) => Err("the EC curve parameters are neither a named curve nor explicit".into()),
    }
}

/// The content of a DER BIT STRING with no unused bits.
fn bit_string_bytes(value: &[u8]) -> Result<&[u8], KeyProblem> {
    match value.split_first() {
        Some((0, bytes)) => Ok(bytes),
        Some(_) => Err("a key BIT STRING has unused bits".into()),
        None => Err("a key BIT STRING is empty".into()),
    }
}

// Object identifiers, as the content octets of their DER encoding.
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const OID_DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_SECP384R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_SECP521R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
const OID_X25519: &[u8] = &[0x2b, 0x65, 0x6e];
const OID_X448: &[u8] = &[0x2b, 0x65, 0x6f];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_ED448: &[u8] = &[0x2b, 0x65, 0x71];

fn algorithm_name(oid: &[u8]) -> String {
    let name = match oid {
        OID_RSASSA_PSS => "RSASSA-PSS",
        OID_DSA => "DSA",
        OID_X25519 => "X25519",
        OID_X448 => "X448",
        OID_ED448 => "Ed448",
        _ => "algorithm",
    };
    format!("{name} ({})", dotted(oid))
}

fn curve_name(oid: &[u8]) -> String {
    let name = match oid {
        OID_SECP384R1 => "P-384",
        OID_SECP521R1 => "P-521",
        OID_SECP256K1 => "secp256k1",
        _ => "",
    };
    if name.is_empty() {
        dotted(oid)
    } else {
        format!("{name} ({})", dotted(oid))
    }
}

/// Dotted-decimal form of an OID's content octets, e.g. `1.3.101.112`.
fn dotted(oid: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for byte in oid {
        if value > u64::MAX >> 7 {
            return "an invalid OID".to_string();
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    if arcs.is_empty() || oid.last().is_some_and(|byte| byte & 0x80 != 0) {
        return "an invalid OID".to_string();
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

// ---------------------------------------------------------------------------------------------
// A minimal DER reader for the few key structures above. Its errors are fixed texts.

const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
const CONTEXT_1_PRIMITIVE: u8 = 0x81;
const CONTEXT_0_CONSTRUCTED: u8 = 0xa0;
const CONTEXT_1_CONSTRUCTED: u8 = 0xa1;

const TRUNCATED: &str = "the DER data is truncated";

/// The content of a TLV with `tag` that must span all of `input`.
fn whole<'a>(input: &'a [u8], tag: u8, missing: &'static str) -> Result<&'a [u8], &'static str> {
    let mut der = Der::new(input);
    let value = der.expect(tag, missing)?;
    der.finish("unexpected data after the DER structure")?;
    Ok(value)
}

struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn finish(&self, trailing: &'static str) -> Result<(), &'static str> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(trailing)
        }
    }

    /// Reads the next TLV and returns its tag and content.
    fn any(&mut self) -> Result<(u8, &'a [u8]), &'static str> {
        let (&tag, rest) = self.rest.split_first().ok_or(TRUNCATED)?;
        if tag & 0x1f == 0x1f {
            return Err("the DER data uses an unexpected multi-byte tag");
        }
        let (&first, mut rest) = rest.split_first().ok_or(TRUNCATED)?;
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return Err("the DER data uses an unsupported length encoding");
            }
            if rest.len() < count {
                return Err(TRUNCATED);
            }
            let (bytes, after) = rest.split_at(count);
            rest = after;
            bytes
                .iter()
                .fold(0usize, |length, byte| (length << 8) | usize::from(*byte))
        };
        if rest.len() < length {
            return Err(TRUNCATED);
        }
        let (value, after) = rest.split_at(length);
        self.rest = after;
        Ok((tag, value))
    }

    fn expect(&mut self, tag: u8, missing: &'static str) -> Result<&'a [u8], &'static str> {
        if self.rest.first() != Some(&tag) {
            return Err(missing);
        }
        Ok(self.any()?.1)
    }

    fn optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, &'static str> {
        Ok(self.optional_any(&[tag])?.map(|(_, value)| value))
    }

    fn optional_any(&mut self, tags: &[u8]) -> Result<Option<(u8, &'a [u8])>, &'static str> {
        match self.rest.first() {
            Some(tag) if tags.contains(tag) => Ok(Some(self.any()?)),
            _ => Ok(None),
        }
    }

    /// A non-negative INTEGER's magnitude, big-endian, without leading zeros.
    fn unsigned(&mut self, missing: &'static str) -> Result<&'a [u8], &'static str> {
        let value = self.expect(INTEGER, missing)?;
        match value.first() {
            None => Err("an INTEGER is empty"),
            Some(byte) if byte & 0x80 != 0 => Err("an INTEGER is negative"),
            Some(_) => {
                let start = value
                    .iter()
                    .position(|byte| *byte != 0)
                    .unwrap_or(value.len());
                Ok(&value[start..])
            }
        }
    }

    fn big_uint(&mut self, missing: &'static str) -> Result<BigUint, &'static str> {
        Ok(BigUint::from_bytes_be(self.unsigned(missing)?))
    }

    fn small_uint(&mut self, missing: &'static str) -> Result<u64, &'static str> {
        let bytes = self.unsigned(missing)?;
        if bytes.len() > 8 {
            return Err("a version INTEGER is too large");
        }
        Ok(bytes
            .iter()
            .fold(0u64, |value, byte| (value << 8) | u64::from(*byte)))
    }
}

#[cfg(test)]
mod tests;
