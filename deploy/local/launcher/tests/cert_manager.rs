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

//! cert-manager in the local control plane: a Certificate for some DNS names, issued by the
//! CA ClusterIssuer, lands in a Secret whose certificate carries exactly those names and
//! chains to the CA; the webhook refuses invalid objects and stamps the requester on
//! CertificateRequests; teardown stops both processes.
//!
//! Needs the binaries from deploy/local/build.sh and deploy/local/cert-manager.sh, and
//! `openssl` on PATH.

use local_cluster::{
    CERT_MANAGER_CA_CERTIFICATE, CERT_MANAGER_CA_ISSUER, CERT_MANAGER_NAMESPACE,
    CERT_MANAGER_SELF_SIGNED_ISSUER, CERT_MANAGER_VERSION, ControlPlane, Options, pid_alive,
};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const WEBHOOK_DENIED: &str = "admission webhook \"webhook.cert-manager.io\" denied the request";

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<String>) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Runs openssl; (success, stdout + stderr).
fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl on PATH");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn secret_field(cp: &ControlPlane, ns: &str, name: &str, key: &str) -> String {
    cp.kubectl_ok([
        "get",
        "secret",
        "-n",
        ns,
        name,
        "-o",
        &format!("go-template={{{{index .data \"{key}\" | base64decode}}}}"),
    ])
    .unwrap_or_else(|e| panic!("Secret {ns}/{name}, {key}: {e}"))
}

fn condition(cp: &ControlPlane, args: &[&str], kind: &str) -> String {
    let mut all: Vec<&str> = vec!["get"];
    all.extend_from_slice(args);
    let jsonpath = format!(r#"jsonpath={{.status.conditions[?(@.type=="{kind}")].status}}"#);
    all.extend(["-o", &jsonpath]);
    cp.kubectl_ok(&all).unwrap_or_default().trim().to_string()
}

fn write(dir: &Path, name: &str, data: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path.display().to_string()
}

#[test]
fn certificate_from_the_ca_issuer_chains_to_it_and_the_webhook_validates() {
    let t = Instant::now();
    let cp = ControlPlane::start(Options {
        cert_manager: true,
        ..Options::apiserver_only()
    })
    .expect("control plane with cert-manager starts");
    eprintln!(
        "apiserver + cert-manager started in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    for (what, at) in cp.startup_milestones() {
        eprintln!("  {what} at {:.2}s", at.as_secs_f64());
    }

    let pids = cp.pids();
    let names: Vec<&str> = pids.iter().map(|(n, _)| *n).collect();
    for want in ["cert-manager-controller", "cert-manager-webhook"] {
        assert!(names.contains(&want), "{want} not running: {names:?}");
    }
    // The binaries carry the pinned release.
    let log = cp.log_tail("cert-manager-controller", 200);
    assert!(
        log.contains(&format!("version=\"{CERT_MANAGER_VERSION}\"")),
        "controller does not report {CERT_MANAGER_VERSION}:\n{log}"
    );

    // The chain the start waited for: both ClusterIssuers and the CA Certificate Ready.
    for args in [
        &["clusterissuer", CERT_MANAGER_SELF_SIGNED_ISSUER][..],
        &["clusterissuer", CERT_MANAGER_CA_ISSUER][..],
        &[
            "certificate",
            "-n",
            CERT_MANAGER_NAMESPACE,
            CERT_MANAGER_CA_CERTIFICATE,
        ][..],
    ] {
        assert_eq!(condition(&cp, args, "Ready"), "True", "{args:?} not Ready");
    }

    // A leaf Certificate from the CA issuer.
    let ns = cp.new_namespace("cm-test").expect("namespace");
    let names = [
        "rustfs.cm-test.svc",
        "*.rustfs-hl.cm-test.svc.cluster.local",
    ];
    cp.kubectl_apply(&format!(
        r#"apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: leaf
  namespace: {ns}
spec:
  secretName: leaf-tls
  dnsNames: ["{}", "{}"]
  issuerRef:
    name: {CERT_MANAGER_CA_ISSUER}
    kind: ClusterIssuer
    group: cert-manager.io
"#,
        names[0], names[1]
    ))
    .expect("create Certificate");
    wait_for("Certificate leaf Ready", Duration::from_secs(60), || {
        (condition(&cp, &["certificate", "-n", &ns, "leaf"], "Ready") == "True").then(String::new)
    });

    let keys = cp
        .kubectl_ok([
            "get",
            "secret",
            "-n",
            &ns,
            "leaf-tls",
            "-o",
            "go-template={{range $k, $v := .data}}{{$k}} {{end}}",
        ])
        .expect("Secret leaf-tls");
    let keys: BTreeSet<&str> = keys.split_whitespace().collect();
    assert_eq!(
        keys,
        BTreeSet::from(["ca.crt", "tls.crt", "tls.key"]),
        "Secret keys"
    );

    let dir = tempfile::tempdir().unwrap();
    let leaf = write(
        dir.path(),
        "tls.crt",
        &secret_field(&cp, &ns, "leaf-tls", "tls.crt"),
    );
    let key = write(
        dir.path(),
        "tls.key",
        &secret_field(&cp, &ns, "leaf-tls", "tls.key"),
    );
    let ca = write(
        dir.path(),
        "ca.crt",
        &secret_field(&cp, &ns, "leaf-tls", "ca.crt"),
    );
    let issuer_ca = cp.cert_manager_ca_pem().expect("CA of the CA issuer");
    let issuer_ca = write(dir.path(), "issuer-ca.crt", &issuer_ca);

    // Exactly the requested names.
    let (ok, san) = openssl(&["x509", "-in", &leaf, "-noout", "-ext", "subjectAltName"]);
    assert!(ok, "{san}");
    let got: BTreeSet<&str> = san
        .split([',', '\n'])
        .filter_map(|s| s.trim().strip_prefix("DNS:"))
        .collect();
    assert_eq!(got, BTreeSet::from(names), "SANs: {san}");
    assert!(!san.contains("IP Address"), "unexpected IP SAN: {san}");

    // It chains to the CA in ca.crt, which is the CA issuer's certificate, a self-signed root.
    assert_eq!(
        std::fs::read_to_string(&ca).unwrap(),
        std::fs::read_to_string(&issuer_ca).unwrap(),
        "ca.crt is not the CA issuer's certificate"
    );
    let (ok, out) = openssl(&["verify", "-CAfile", &issuer_ca, &leaf]);
    assert!(
        ok && out.contains(": OK"),
        "leaf does not chain to the CA: {out}"
    );
    let (ok, out) = openssl(&["verify", "-CAfile", &issuer_ca, &issuer_ca]);
    assert!(ok, "CA is not a self-signed root: {out}");
    let (ok, out) = openssl(&[
        "x509",
        "-in",
        &issuer_ca,
        "-noout",
        "-ext",
        "basicConstraints",
    ]);
    assert!(ok && out.contains("CA:TRUE"), "CA lacks CA:TRUE: {out}");
    // ...and not to an unrelated CA (the check above can fail).
    let other = rcgen::generate_simple_self_signed(vec!["other-ca".to_string()]).unwrap();
    let other = write(dir.path(), "other.crt", &other.cert.pem());
    let (ok, out) = openssl(&["verify", "-CAfile", &other, &leaf]);
    assert!(!ok, "leaf verified against an unrelated CA: {out}");

    // tls.key is the leaf's private key.
    let (ok, cert_pub) = openssl(&["x509", "-in", &leaf, "-noout", "-pubkey"]);
    assert!(ok, "{cert_pub}");
    let (ok, key_pub) = openssl(&["pkey", "-in", &key, "-pubout"]);
    assert!(ok, "{key_pub}");
    assert_eq!(cert_pub, key_pub, "tls.key does not match tls.crt");

    // The mutating webhook stamped the requester (the controller's own user) on the request.
    let username = cp
        .kubectl_ok([
            "get",
            "certificaterequests",
            "-n",
            &ns,
            "-o",
            "jsonpath={.items[*].spec.username}",
        ])
        .expect("CertificateRequests");
    assert_eq!(username.trim(), "cert-manager-controller");

    // The validating webhook refuses what the CRD schema lets through.
    for (what, spec) in [
        (
            "no subject",
            format!(
                "secretName: x\n  issuerRef: {{name: {CERT_MANAGER_CA_ISSUER}, kind: ClusterIssuer}}"
            ),
        ),
        (
            "empty issuerRef.name",
            "secretName: x\n  dnsNames: [a.example]\n  issuerRef: {name: \"\"}".to_string(),
        ),
    ] {
        let err = cp
            .kubectl_stdin(
                ["create", "-f", "-"],
                &format!(
                    "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: bad\n  namespace: {ns}\nspec:\n  {spec}\n"
                ),
            )
            .expect_err(&format!("Certificate with {what} must be refused"))
            .to_string();
        assert!(err.contains(WEBHOOK_DENIED), "{what}: {err}");
    }
    let err = cp
        .kubectl_ok(["get", "certificate", "-n", &ns, "bad"])
        .expect_err("refused Certificate must not exist")
        .to_string();
    assert!(err.contains("NotFound"), "{err}");

    // Teardown stops cert-manager with the rest.
    let root = cp.root_dir().to_path_buf();
    drop(cp);
    for (name, pid) in pids {
        assert!(
            !pid_alive(pid),
            "{name} (pid {pid}) still alive after teardown"
        );
    }
    assert!(!root.exists(), "temp dir {} still exists", root.display());
}

#[test]
fn cert_manager_key_matches_the_script_and_missing_binaries_are_named() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../cert-manager.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg("--print-key")
        .output()
        .expect("run cert-manager.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        local_cluster::CERT_MANAGER_KEY
    );

    // Without the binaries the start fails before running anything, and says how to get them.
    // (A child process, so the environment override stays out of the other test.)
    let missing = std::env::temp_dir().join("local-cluster-no-such-cert-manager/bin");
    let out = Command::new(env!("CARGO_BIN_EXE_local-cluster"))
        .args(["up", "--cert-manager"])
        .env(local_cluster::CERT_MANAGER_BIN_ENV, &missing)
        .output()
        .expect("run local-cluster up");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("run deploy/local/cert-manager.sh"),
        "{stderr}"
    );
    assert!(stderr.contains("cert-manager-controller"), "{stderr}");
}
