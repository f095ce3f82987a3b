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

//! cert-manager in the local control plane ([`Options::cert_manager`](crate::Options)).
//!
//! The controller and the webhook built by `deploy/local/cert-manager.sh` run as host
//! processes, like the Kubernetes components: the controller out of cluster with its own
//! kubeconfig, no leader election, cluster resources in [`CERT_MANAGER_NAMESPACE`]; the
//! webhook on a loopback port with a serving certificate from the launcher's CA, registered
//! by a Validating- and a MutatingWebhookConfiguration (upstream's rules) that name it by
//! `url` and `caBundle`. Then an issuer chain is created — the [`CERT_MANAGER_SELF_SIGNED_ISSUER`]
//! ClusterIssuer signs the [`CERT_MANAGER_CA_CERTIFICATE`] CA Certificate, whose Secret backs
//! the [`CERT_MANAGER_CA_ISSUER`] ClusterIssuer — and the start waits until that issuer is
//! Ready and the webhook refuses an invalid object.

use crate::{ControlPlane, Error, Result, free_port, http_get, kubeconfig, pki};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Cache key of the cert-manager binaries this checkout expects (see build.rs).
pub const CERT_MANAGER_KEY: &str = env!("LOCAL_CLUSTER_CERT_MANAGER_KEY");

/// The cert-manager release `deploy/local/cert-manager/go.mod` pins.
pub const CERT_MANAGER_VERSION: &str = env!("LOCAL_CLUSTER_CERT_MANAGER_VERSION");

/// Environment variable that points straight at a cert-manager bin dir (the CRDs are
/// expected in `crds/` next to it), bypassing the cache.
pub const CERT_MANAGER_BIN_ENV: &str = "RUSTFS_OPERATOR_CERT_MANAGER_BIN";

/// Namespace of cert-manager's cluster resources: the CA Certificate and its Secret.
pub const CERT_MANAGER_NAMESPACE: &str = "cert-manager";

/// The self-signed ClusterIssuer at the root of the chain.
pub const CERT_MANAGER_SELF_SIGNED_ISSUER: &str = "selfsigned";

/// The CA Certificate (`isCA`, in [`CERT_MANAGER_NAMESPACE`]) that the self-signed issuer
/// issues; its Secret has the same name.
pub const CERT_MANAGER_CA_CERTIFICATE: &str = "local-ca";

/// The CA ClusterIssuer, signing with [`CERT_MANAGER_CA_CERTIFICATE`]'s key: the issuer to
/// put in a Certificate's `issuerRef` (`kind: ClusterIssuer`, group `cert-manager.io`).
pub const CERT_MANAGER_CA_ISSUER: &str = "local-ca";

/// Name of both webhook configurations, as upstream's manifests name them.
pub const CERT_MANAGER_WEBHOOK_CONFIGURATION: &str = "cert-manager-webhook";

const CONTROLLER: &str = "cert-manager-controller";
const WEBHOOK: &str = "cert-manager-webhook";

/// The directory the cert-manager binaries are expected in (it may not exist yet):
/// `$RUSTFS_OPERATOR_CERT_MANAGER_BIN`, else the cert-manager.sh cache directory for
/// [`CERT_MANAGER_KEY`].
pub fn default_cert_manager_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(CERT_MANAGER_BIN_ENV) {
        return PathBuf::from(dir);
    }
    crate::cache_root()
        .join("cert-manager")
        .join(CERT_MANAGER_KEY)
        .join("bin")
}

/// The CRD manifests that belong to a cert-manager bin dir.
pub fn cert_manager_crds_dir(bin_dir: &Path) -> PathBuf {
    bin_dir
        .parent()
        .map(|p| p.join("crds"))
        .unwrap_or_else(|| bin_dir.join("crds"))
}

/// The cert-manager bin dir, Err unless both binaries and the CRDs are there.
pub(crate) fn resolve_bin_dir() -> Result<PathBuf> {
    let dir = default_cert_manager_bin_dir();
    let crds = cert_manager_crds_dir(&dir);
    let mut missing: Vec<String> = [CONTROLLER, WEBHOOK]
        .into_iter()
        .filter(|b| !dir.join(b).is_file())
        .map(String::from)
        .collect();
    if !crds.join("cert-manager.io_certificates.yaml").is_file() {
        missing.push(format!("CRDs in {}", crds.display()));
    }
    if missing.is_empty() {
        return Ok(dir);
    }
    Err(Error::new(format!(
        "cert-manager binaries missing in {} ({}); run deploy/local/cert-manager.sh \
         (make controlplane), or set {CERT_MANAGER_BIN_ENV}",
        dir.display(),
        missing.join(", ")
    )))
}

/// What [`ControlPlane::launch_cert_manager`] started, for [`ControlPlane::ready_cert_manager`].
pub(crate) struct Launched {
    webhook_port: u16,
    healthz_port: u16,
}

/// The webhook configurations: upstream's rules (every cert-manager resource validated on
/// create and update; CertificateRequests mutated on create, which stamps the requester's
/// identity), the webhook reached by URL on loopback.
fn webhook_configurations(port: u16, ca_bundle: &str) -> String {
    let webhook = |path: &str, groups: &str, operations: &str, resources: &str| {
        format!(
            r#"webhooks:
  - name: webhook.cert-manager.io
    rules:
      - apiGroups: [{groups}]
        apiVersions: ["v1"]
        operations: [{operations}]
        resources: [{resources}]
    admissionReviewVersions: ["v1"]
    matchPolicy: Equivalent
    timeoutSeconds: 10
    failurePolicy: Fail
    sideEffects: None
    clientConfig:
      url: https://127.0.0.1:{port}{path}
      caBundle: {ca_bundle}
"#
        )
    };
    format!(
        "apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {CERT_MANAGER_WEBHOOK_CONFIGURATION}
{}---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: {CERT_MANAGER_WEBHOOK_CONFIGURATION}
{}",
        webhook(
            "/validate",
            r#""cert-manager.io", "acme.cert-manager.io""#,
            r#""CREATE", "UPDATE""#,
            r#""*/*""#
        ),
        webhook(
            "/mutate",
            r#""cert-manager.io""#,
            r#""CREATE""#,
            r#""certificaterequests""#
        ),
    )
}

/// The issuer chain: self-signed ClusterIssuer → CA Certificate → CA ClusterIssuer.
fn issuer_chain() -> String {
    format!(
        r#"apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: {CERT_MANAGER_SELF_SIGNED_ISSUER}
spec:
  selfSigned: {{}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {CERT_MANAGER_CA_CERTIFICATE}
  namespace: {CERT_MANAGER_NAMESPACE}
spec:
  isCA: true
  commonName: local-cluster cert-manager CA
  secretName: {CERT_MANAGER_CA_CERTIFICATE}
  duration: 8760h
  privateKey:
    algorithm: ECDSA
    size: 256
  issuerRef:
    name: {CERT_MANAGER_SELF_SIGNED_ISSUER}
    kind: ClusterIssuer
    group: cert-manager.io
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: {CERT_MANAGER_CA_ISSUER}
spec:
  ca:
    secretName: {CERT_MANAGER_CA_CERTIFICATE}
"#
    )
}

/// A Certificate only the webhook refuses (the CRD schema admits it): no subject at all.
/// Sent with server-side dry-run until the webhook answers.
fn webhook_probe() -> String {
    format!(
        r#"apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: webhook-probe
  namespace: {CERT_MANAGER_NAMESPACE}
spec:
  secretName: webhook-probe
  issuerRef:
    name: {CERT_MANAGER_CA_ISSUER}
    kind: ClusterIssuer
"#
    )
}

impl ControlPlane {
    /// Installs the CRDs and the namespace, then starts the webhook and the controller.
    pub(crate) fn launch_cert_manager(
        &self,
        bin_dir: &Path,
        pki: &pki::Pki,
        deadline: Instant,
    ) -> Result<Launched> {
        let p = |s: &Path| s.display().to_string();
        let crds = cert_manager_crds_dir(bin_dir);
        self.kubectl_ok([
            "apply",
            "--server-side",
            "--field-manager=local-cluster",
            "-f",
            &p(&crds),
        ])?;
        self.kubectl_ok(["create", "namespace", CERT_MANAGER_NAMESPACE])?;
        let count = std::fs::read_dir(&crds)
            .map_err(|e| Error::io(format!("reading {}", crds.display()), e))?
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
            })
            .count();
        // The controller's informers list every cert-manager type on start.
        self.wait_until(deadline, "cert-manager CRDs established", || {
            let out = self.kubectl_ok([
                "get",
                "crd",
                "-o",
                r#"jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Established")].status}{"\n"}{end}"#,
            ])?;
            let established = out
                .lines()
                .filter(|l| l.ends_with("cert-manager.io True"))
                .count();
            Ok(established >= count)
        })?;

        let dir = self.root.join("cert-manager");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating cert-manager dir", e))?;
        let server = self.apiserver_url.clone();
        // Users of their own (audit logs tell them apart), with cluster-admin rights.
        let kubeconfig_for = |user: &str| -> Result<PathBuf> {
            let cert = pki.client(user, Some("system:masters"))?;
            let path = dir.join(format!("{user}.kubeconfig"));
            let yaml = kubeconfig::render(&server, &pki.ca_cert_pem, user, &cert);
            pki::write_private(&path, yaml.as_bytes())?;
            Ok(path)
        };

        let serving = pki.loopback_serving(WEBHOOK)?;
        let (cert, key) = (dir.join("webhook.crt"), dir.join("webhook.key"));
        pki::write_private(&cert, serving.cert_pem.as_bytes())?;
        pki::write_private(&key, serving.key_pem.as_bytes())?;
        let (webhook_port, healthz_port) = (free_port()?, free_port()?);
        self.spawn_program(
            WEBHOOK,
            &bin_dir.join(WEBHOOK),
            vec![
                format!("--kubeconfig={}", p(&kubeconfig_for(WEBHOOK)?)),
                format!("--secure-port={webhook_port}"),
                format!("--healthz-port={healthz_port}"),
                format!("--tls-cert-file={}", p(&cert)),
                format!("--tls-private-key-file={}", p(&key)),
                "--metrics-listen-address=0".into(),
            ],
            &[],
        )?;
        self.spawn_program(
            CONTROLLER,
            &bin_dir.join(CONTROLLER),
            vec![
                format!("--kubeconfig={}", p(&kubeconfig_for(CONTROLLER)?)),
                format!("--cluster-resource-namespace={CERT_MANAGER_NAMESPACE}"),
            ],
            &[],
        )?;
        self.mark("cert-manager launched");
        Ok(Launched {
            webhook_port,
            healthz_port,
        })
    }

    /// Registers the webhook once it is healthy, waits until the API server calls it, then
    /// creates the issuer chain and waits for the CA ClusterIssuer to be Ready.
    pub(crate) fn ready_cert_manager(
        &self,
        launched: &Launched,
        pki: &pki::Pki,
        deadline: Instant,
    ) -> Result<()> {
        self.wait_until(deadline, "cert-manager webhook /healthz", || {
            Ok(matches!(
                http_get(launched.healthz_port, "/healthz"),
                Ok((200, _))
            ))
        })?;
        let ca_bundle = kubeconfig::base64(pki.ca_cert_pem.as_bytes());
        self.kubectl_apply(&webhook_configurations(launched.webhook_port, &ca_bundle))?;
        let probe = webhook_probe();
        self.wait_until(deadline, "cert-manager webhook admitting", || {
            match self.kubectl_stdin(["create", "--dry-run=server", "-f", "-"], &probe) {
                // Created: the API server has not picked the configuration up yet.
                Ok(_) => Ok(false),
                Err(e)
                    if e.to_string()
                        .contains("admission webhook \"webhook.cert-manager.io\" denied") =>
                {
                    Ok(true)
                }
                Err(e) => Err(e),
            }
        })?;
        self.kubectl_apply(&issuer_chain())?;
        self.wait_until(deadline, "cert-manager CA ClusterIssuer Ready", || {
            let out = self.kubectl_ok([
                "get",
                "clusterissuer",
                CERT_MANAGER_CA_ISSUER,
                "-o",
                r#"jsonpath={.status.conditions[?(@.type=="Ready")].status}"#,
            ])?;
            Ok(out.trim() == "True")
        })
    }

    /// The cert-manager bin dir, if cert-manager runs.
    pub fn cert_manager_bin_dir(&self) -> Option<&Path> {
        self.cert_manager_bin.as_deref()
    }

    /// PEM of the CA that [`CERT_MANAGER_CA_ISSUER`] signs with (the `tls.crt` of the CA
    /// Certificate's Secret): the trust anchor of every certificate it issues.
    pub fn cert_manager_ca_pem(&self) -> Result<String> {
        let pem = self.kubectl_ok([
            "get",
            "secret",
            "-n",
            CERT_MANAGER_NAMESPACE,
            CERT_MANAGER_CA_CERTIFICATE,
            "-o",
            r#"go-template={{index .data "tls.crt" | base64decode}}"#,
        ])?;
        if !pem.starts_with("-----BEGIN CERTIFICATE-----") {
            return Err(Error::new(format!(
                "{CERT_MANAGER_NAMESPACE}/{CERT_MANAGER_CA_CERTIFICATE} tls.crt is not a PEM certificate"
            )));
        }
        Ok(pem)
    }
}
