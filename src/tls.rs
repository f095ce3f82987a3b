// Copyright 2026 The rustfs-operator Authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

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
mod tests {
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
        let summary =
            validate_pair(certificate.as_bytes(), with_parameters.as_bytes(), now()).unwrap();
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

        let mismatched =
            certificate.replace("-----END CERTIFICATE-----", "-----END PRIVATE KEY-----");
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
}
