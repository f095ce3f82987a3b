// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The data path's settings: the internode (RPC) secret, TLS, and RustFS's own logging.

use kube::KubeSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A key of a Secret in the Tenant's namespace.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// Name of the Secret, in the Tenant's namespace.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Key in the Secret.
    #[schemars(length(min = 1, max = 253))]
    pub key: String,
}

/// How the servers serve S3, the console and their internode traffic.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("self.mode != 'secret' || has(self.secretName)")
        .message("spec.tls.secretName is required with mode 'secret': name a kubernetes.io/tls Secret in the Tenant's namespace"),
    validation = Rule::new("self.mode != 'certManager' || has(self.certManager)")
        .message("spec.tls.certManager is required with mode 'certManager': give at least certManager.issuerRef.name"),
    validation = Rule::new("self.mode == 'secret' || !has(self.secretName)")
        .message("spec.tls.secretName is only used with mode 'secret': remove it, or set mode to 'secret'"),
    validation = Rule::new("self.mode == 'certManager' || !has(self.certManager)")
        .message("spec.tls.certManager is only used with mode 'certManager': remove it, or set mode to 'certManager'"),
)]
pub struct TlsSpec {
    /// `disabled` (plain HTTP, the default), `secret` (a `kubernetes.io/tls` Secret you
    /// manage) or `certManager` (the operator asks cert-manager for a Certificate covering
    /// every name it generates). With TLS on, S3, the console and the servers' internode
    /// traffic all use HTTPS, and a renewed certificate is picked up without a restart.
    #[serde(default)]
    pub mode: TlsMode,

    /// Mode `secret`: a `kubernetes.io/tls` Secret (keys `tls.crt`, `tls.key`, and `ca.crt`
    /// unless `caSecret` is set). Its certificate must name every server's headless DNS name
    /// and the `<tenant>-io` Service (the Tenant's status lists what is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub secret_name: Option<String>,

    /// The CA that signed the servers' certificate, which each server trusts for internode
    /// traffic. Defaults to key `ca.crt` of the TLS Secret. For a self-signed certificate,
    /// point it at the TLS Secret's `tls.crt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_secret: Option<SecretKeyRef>,

    /// Mode `certManager`: the issuer and lifetime of the Certificate `<tenant>-tls` the
    /// operator applies (its Secret has the same name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_manager: Option<CertManagerTls>,
}

/// TLS mode of a Tenant.
#[derive(
    JsonSchema,
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    strum::Display,
    strum::AsRefStr,
)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
pub enum TlsMode {
    /// Plain HTTP.
    #[default]
    Disabled,
    /// A `kubernetes.io/tls` Secret managed by the user.
    Secret,
    /// A cert-manager Certificate applied by the operator.
    CertManager,
}

/// The cert-manager Certificate the operator applies.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CertManagerTls {
    /// The Issuer or ClusterIssuer that signs the certificate. Its CA is shipped to the
    /// servers from the Secret's `ca.crt` (CA and self-signed issuers fill it).
    pub issuer_ref: IssuerRef,

    /// Requested lifetime, a Go duration such as `2160h` (cert-manager's default when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^([0-9]+(\\\\.[0-9]+)?(h|m|s|ms))+$')").message("spec.tls.certManager.duration must be a Go duration such as '2160h' or '90h30m'"))]
    pub duration: Option<String>,

    /// How long before expiry cert-manager renews, a Go duration such as `360h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self.matches('^([0-9]+(\\\\.[0-9]+)?(h|m|s|ms))+$')").message("spec.tls.certManager.renewBefore must be a Go duration such as '360h'"))]
    pub renew_before: Option<String>,
}

/// A cert-manager issuer.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IssuerRef {
    /// Name of the issuer.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// `Issuer` (in the Tenant's namespace, the default) or `ClusterIssuer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub kind: Option<String>,
    /// API group of the issuer; `cert-manager.io` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub group: Option<String>,
}

/// RustFS's own logs and traces.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LoggingSpec {
    /// Log level of the servers (`RUSTFS_OBS_LOGGER_LEVEL`): `error`, `warn`, `info` (the
    /// default; RustFS alone would log errors only), `debug` or `trace`. Logs are JSON lines
    /// on stdout, read with `kubectl logs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<LogLevel>,

    /// OTLP/HTTP endpoint for RustFS's own traces, metrics and logs
    /// (`RUSTFS_OBS_ENDPOINT`), such as `http://jaeger-collector.observability:4318`.
    /// Logs still go to stdout as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2048))]
    #[x_kube(validation = Rule::new("self.matches('^https?://[^/\\\\s]+(/\\\\S*)?$')").message("spec.logging.otlpEndpoint must be an http:// or https:// URL such as 'http://jaeger-collector.observability:4318'"))]
    pub otlp_endpoint: Option<String>,
}

/// RustFS log level.
#[derive(
    JsonSchema,
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    strum::Display,
    strum::AsRefStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Start-up, membership and other notable events (the operator's default).
    #[default]
    Info,
    /// Verbose.
    Debug,
    /// Very verbose.
    Trace,
}
