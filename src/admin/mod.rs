// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! A client of RustFS's admin API (`/rustfs/admin/v3/...`): SigV4-signed requests with the
//! Tenant's root credentials, through the Tenant's io Service.
//!
//! - **Credentials** are passed per call ([`RootCredentials`]) and dropped with it: the
//!   client holds none, and neither its errors nor its spans contain them. SigV4 itself is
//!   the AWS SDK's signer crate (`aws-sigv4`), not code of ours.
//! - **Transport**: hyper over rustls with ring (kube's own stack). With TLS on, the Tenant's
//!   CA is the only trust root and the server's name is checked against it.
//! - **Failures** come back as an [`Error`] that names the route and what went wrong.
//!   Connection failures, timeouts, 5xx and 429 are retried with backoff
//!   ([`Error::is_transient`]); a 4xx (a wrong key, a refused request) is returned at once.
//!
//! Routes and response shapes are RustFS 1.0.1's (`../shared/design/RUSTFS-FACTS.md`).

pub mod credentials;
pub mod info;
pub mod pools;
pub mod tenant;

use std::time::{Duration, SystemTime};

use backoff::ExponentialBackoff;
use serde::de::DeserializeOwned;
use snafu::{ResultExt, Snafu};

pub use credentials::RootCredentials;

/// The admin API's path prefix.
pub const ADMIN_PREFIX: &str = "/rustfs/admin/v3";
/// SigV4 scope: RustFS accepts any region; the service is `s3`.
const REGION: &str = "us-east-1";
const SERVICE: &str = "s3";
/// SHA-256 of the empty body: every admin call the operator makes has one.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What went wrong talking to RustFS. Every variant names the route; none carries a
/// credential.
#[derive(Debug, Snafu)]
pub enum Error {
    /// The CA bundle given for TLS could not be used.
    #[snafu(display("the Tenant's CA certificate cannot be used as a trust root: {message}"))]
    TrustRoot { message: String },
    /// Signing failed (a malformed URL or header, never a key problem).
    #[snafu(display("cannot sign the request to {route}: {message}"))]
    Sign { route: String, message: String },
    /// No answer in time.
    #[snafu(display("{route}: no answer within {}s", timeout.as_secs()))]
    Timeout { route: String, timeout: Duration },
    /// No connection (DNS, refused, reset, TLS handshake).
    #[snafu(display("{route}: cannot connect to {endpoint}: {message}"))]
    Connect {
        route: String,
        endpoint: String,
        message: String,
    },
    /// RustFS answered with an error status.
    #[snafu(display("{route}: RustFS answered {status} {code}: {message}"))]
    Status {
        route: String,
        status: u16,
        /// The S3-style error code, e.g. `SignatureDoesNotMatch`, `AccessDenied`.
        code: String,
        message: String,
    },
    /// The answer was not what RustFS 1.0.1 sends.
    #[snafu(display("{route}: unexpected answer: {source}"))]
    Decode {
        route: String,
        source: serde_json::Error,
    },
}

impl Error {
    /// Worth retrying: no connection, no answer in time, a 5xx or 429. A 4xx (wrong keys,
    /// a refused request) and an undecodable answer would fail the same way again.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connect { .. } => true,
            Error::Status { status, .. } => *status >= 500 || *status == 429,
            Error::TrustRoot { .. } | Error::Sign { .. } | Error::Decode { .. } => false,
        }
    }

    /// The error's class, for metrics labels: `connect`, `timeout`, `auth`, `status`,
    /// `decode` or `client`.
    pub fn class(&self) -> &'static str {
        match self {
            Error::Timeout { .. } => "timeout",
            Error::Connect { .. } => "connect",
            Error::Status { status, .. } if *status == 401 || *status == 403 => "auth",
            Error::Status { .. } => "status",
            Error::Decode { .. } => "decode",
            Error::TrustRoot { .. } | Error::Sign { .. } => "client",
        }
    }
}

/// Timeouts and retries of one client.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Per attempt, connection included.
    pub timeout: Duration,
    /// Total time spent retrying transient failures before giving up.
    pub retry_for: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(5),
            retry_for: Duration::from_secs(10),
        }
    }
}

type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;
type Body = http_body_util::Empty<bytes::Bytes>;

/// A client of one Tenant's admin API.
#[derive(Clone, Debug)]
pub struct AdminClient {
    http: hyper_util::client::legacy::Client<Connector, Body>,
    /// `http(s)://host:port`, no trailing slash.
    endpoint: String,
    settings: Settings,
}

impl AdminClient {
    /// A client of `endpoint` (`http://…` or `https://…`). `ca_pem` becomes the only trust
    /// root for `https`; without it, `https` trusts nothing and fails to connect.
    pub fn new(endpoint: &str, ca_pem: Option<&[u8]>, settings: Settings) -> Result<Self, Error> {
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(ca_pem)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_max_idle_per_host(0)
                .build(connector);
        Ok(AdminClient {
            http,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            settings,
        })
    }

    /// `GET` a route under [`ADMIN_PREFIX`] and decode its JSON answer.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        credentials: &RootCredentials,
        route: &str,
    ) -> Result<T, Error> {
        let body = self.call(credentials, http::Method::GET, route).await?;
        serde_json::from_slice(&body).context(DecodeSnafu { route })
    }

    /// `POST` a route with an empty body and return the answer's bytes.
    pub async fn post(&self, credentials: &RootCredentials, route: &str) -> Result<Vec<u8>, Error> {
        self.call(credentials, http::Method::POST, route).await
    }

    /// One call, retried while it fails transiently and time is left.
    async fn call(
        &self,
        credentials: &RootCredentials,
        method: http::Method,
        route: &str,
    ) -> Result<Vec<u8>, Error> {
        let policy = ExponentialBackoff {
            initial_interval: Duration::from_millis(200),
            max_interval: Duration::from_secs(2),
            max_elapsed_time: Some(self.settings.retry_for),
            ..ExponentialBackoff::default()
        };
        backoff::future::retry(policy, || async {
            self.attempt(credentials, method.clone(), route)
                .await
                .map_err(|e| {
                    if e.is_transient() {
                        tracing::debug!(error = %e, "admin API call failed; retrying");
                        backoff::Error::transient(e)
                    } else {
                        backoff::Error::permanent(e)
                    }
                })
        })
        .await
    }

    async fn attempt(
        &self,
        credentials: &RootCredentials,
        method: http::Method,
        route: &str,
    ) -> Result<Vec<u8>, Error> {
        let url = format!("{}{ADMIN_PREFIX}{route}", self.endpoint);
        let sign_error = |message: String| Error::Sign {
            route: route.to_owned(),
            message,
        };
        let mut request = http::Request::builder()
            .method(method)
            .uri(&url)
            .header("x-amz-content-sha256", EMPTY_SHA256)
            .header(
                http::header::USER_AGENT,
                concat!("rustfs-operator/", env!("CARGO_PKG_VERSION")),
            )
            .body(())
            .map_err(|e| sign_error(e.to_string()))?;
        sign(&mut request, credentials, SystemTime::now()).map_err(sign_error)?;
        let request = request.map(|()| Body::new());
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| Error::Connect {
                    route: route.to_owned(),
                    endpoint: self.endpoint.clone(),
                    message: error_chain(&e),
                })?;
            let status = response.status();
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .map_err(|e| Error::Connect {
                    route: route.to_owned(),
                    endpoint: self.endpoint.clone(),
                    message: error_chain(&e),
                })?
                .to_bytes();
            Ok::<_, Error>((status, body))
        };
        let (status, body) = tokio::time::timeout(self.settings.timeout, exchange)
            .await
            .map_err(|_| Error::Timeout {
                route: route.to_owned(),
                timeout: self.settings.timeout,
            })??;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        let (code, message) = error_body(&body);
        Err(Error::Status {
            route: route.to_owned(),
            status: status.as_u16(),
            code,
            message,
        })
    }
}

/// Signs `request` in place with SigV4 (headers `authorization`, `x-amz-date`).
fn sign(
    request: &mut http::Request<()>,
    credentials: &RootCredentials,
    time: SystemTime,
) -> Result<(), String> {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
    };
    use aws_sigv4::sign::v4::SigningParams;

    let identity = aws_credential_types::Credentials::new(
        credentials.access_key(),
        credentials.secret_key(),
        None,
        None,
        "rustfs-operator",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name(SERVICE)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let headers = request
        .headers()
        .iter()
        .map(|(k, v)| Ok((k.as_str(), v.to_str().map_err(|e| e.to_string())?)))
        .collect::<Result<Vec<_>, String>>()?;
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        &uri,
        headers.into_iter(),
        SignableBody::Precomputed(EMPTY_SHA256.to_owned()),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    instructions.apply_to_request_http1x(request);
    Ok(())
}

/// A rustls configuration (ring) that trusts only the certificates in `pem`; nothing at all
/// without it.
fn tls_config(pem: Option<&[u8]>) -> Result<rustls::ClientConfig, Error> {
    let trust = |message: String| Error::TrustRoot { message };
    let mut roots = rustls::RootCertStore::empty();
    let mut found = 0;
    let blocks = match pem {
        Some(pem) => ::pem::parse_many(pem).map_err(|e| trust(e.to_string()))?,
        None => Vec::new(),
    };
    for block in blocks {
        if block.tag() != "CERTIFICATE" {
            continue;
        }
        roots
            .add(rustls::pki_types::CertificateDer::from(
                block.contents().to_vec(),
            ))
            .map_err(|e| trust(e.to_string()))?;
        found += 1;
    }
    if pem.is_some() && found == 0 {
        return Err(trust("no PEM CERTIFICATE block".into()));
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| trust(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The S3-style error code and message of an error answer: XML `<Error><Code>…`, or JSON
/// `{"Code": …, "Message": …}`; otherwise the start of the body.
fn error_body(body: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(body);
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&close)? + start;
        Some(text[start..end].to_owned())
    };
    if let (Some(code), message) = (tag("Code"), tag("Message")) {
        return (code, message.unwrap_or_default());
    }
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        let field = |k: &str| {
            json.get(k)
                .or_else(|| json.get(k.to_lowercase()))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        if let Some(code) = field("Code") {
            return (code, field("Message").unwrap_or_default());
        }
    }
    let short: String = text.chars().take(200).collect();
    (String::new(), short.trim().to_owned())
}

/// The error and its causes on one line (hyper hides the useful part in `source`).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests;
