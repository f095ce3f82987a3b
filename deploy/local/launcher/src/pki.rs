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

//! Throwaway PKI for one control plane: a cluster CA, the API server's serving
//! certificate, client certificates for each component, and the service
//! account signing key pair. Everything is generated fresh per start and
//! lives only in the control plane's temp dir.

use crate::{Error, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use std::path::{Path, PathBuf};

/// A certificate and its private key, PEM encoded.
pub(crate) struct CertPair {
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
}

/// Paths of the PKI files written to disk.
pub(crate) struct PkiFiles {
    pub(crate) ca_cert: PathBuf,
    pub(crate) ca_key: PathBuf,
    pub(crate) serving_cert: PathBuf,
    pub(crate) serving_key: PathBuf,
    pub(crate) sa_public: PathBuf,
    pub(crate) sa_private: PathBuf,
}

pub(crate) struct Pki {
    pub(crate) ca_cert_pem: String,
    ca_key: KeyPair,
    ca_params: CertificateParams,
}

fn dn(common_name: &str, organization: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    if let Some(o) = organization {
        dn.push(DnType::OrganizationName, o);
    }
    dn
}

fn pki_err(what: &str, e: rcgen::Error) -> Error {
    Error::new(format!("generating {what}: {e}"))
}

impl Pki {
    pub(crate) fn new() -> Result<Self> {
        let ca_key = KeyPair::generate().map_err(|e| pki_err("CA key", e))?;
        let mut params =
            CertificateParams::new(Vec::<String>::new()).map_err(|e| pki_err("CA", e))?;
        params.distinguished_name = dn("local-cluster-ca", None);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&ca_key).map_err(|e| pki_err("CA", e))?;
        Ok(Self {
            ca_cert_pem: cert.pem(),
            ca_key,
            ca_params: params,
        })
    }

    fn issue(
        &self,
        common_name: &str,
        organization: Option<&str>,
        sans: Vec<String>,
        usage: ExtendedKeyUsagePurpose,
    ) -> Result<CertPair> {
        let key = KeyPair::generate().map_err(|e| pki_err(common_name, e))?;
        let mut params = CertificateParams::new(sans).map_err(|e| pki_err(common_name, e))?;
        params.distinguished_name = dn(common_name, organization);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        let issuer = Issuer::from_params(&self.ca_params, &self.ca_key);
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| pki_err(common_name, e))?;
        Ok(CertPair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// Serving certificate of kube-apiserver, valid for loopback, the real
    /// node's view of the host, and the in-cluster names of the `kubernetes` Service.
    pub(crate) fn serving(&self, service_ip: &str, node_host_ip: &str) -> Result<CertPair> {
        let sans = [
            node_host_ip,
            "127.0.0.1",
            "::1",
            "localhost",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
            service_ip,
        ];
        self.issue(
            "kube-apiserver",
            None,
            sans.iter().map(|s| s.to_string()).collect(),
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// Serving certificate of a process the API server dials on loopback (an
    /// admission webhook on the host), valid for 127.0.0.1 and `localhost`.
    pub(crate) fn loopback_serving(&self, common_name: &str) -> Result<CertPair> {
        self.issue(
            common_name,
            None,
            vec!["127.0.0.1".into(), "localhost".into()],
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// Client certificate; `organization` becomes the user's group.
    pub(crate) fn client(&self, user: &str, group: Option<&str>) -> Result<CertPair> {
        self.issue(user, group, Vec::new(), ExtendedKeyUsagePurpose::ClientAuth)
    }

    /// Writes the CA, serving certificate and a fresh service account key pair.
    pub(crate) fn write_files(&self, dir: &Path, serving: &CertPair) -> Result<PkiFiles> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating pki dir", e))?;
        let sa = KeyPair::generate().map_err(|e| pki_err("service account key", e))?;
        let files = PkiFiles {
            ca_cert: dir.join("ca.crt"),
            ca_key: dir.join("ca.key"),
            serving_cert: dir.join("apiserver.crt"),
            serving_key: dir.join("apiserver.key"),
            sa_public: dir.join("sa.pub"),
            sa_private: dir.join("sa.key"),
        };
        let writes = [
            (&files.ca_cert, self.ca_cert_pem.clone()),
            (&files.ca_key, self.ca_key.serialize_pem()),
            (&files.serving_cert, serving.cert_pem.clone()),
            (&files.serving_key, serving.key_pem.clone()),
            (&files.sa_public, sa.public_key_pem()),
            (&files.sa_private, sa.serialize_pem()),
        ];
        for (path, data) in writes {
            write_private(path, data.as_bytes())?;
        }
        Ok(files)
    }
}

/// Writes a file readable only by the current user.
pub(crate) fn write_private(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
    f.write_all(data)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}
