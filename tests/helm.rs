// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The Helm chart (`deploy/helm/rustfs-operator`) and the scripts in `scripts/`.
//!
//! Chart: `helm lint --strict` passes; the CRD in `crds/` is the generated one, byte for
//! byte; the default render is the same operator as `deploy/` (RBAC rules, names, probes,
//! ports, security contexts, env); values become env vars only when set; two replicas
//! with leader election (Lease Role, PDB, spread over nodes) by default, exactly one
//! without it; the rendered objects pass a server-side dry run on a real kube-apiserver. Scripts: deploy (kustomize and Helm), check and cleanup against a real
//! control plane (kwok makes the operator's pod "ready"; the real operator binary, running
//! as the deployed ServiceAccount, provisions a Tenant's volumes), including that cleanup
//! keeps Tenants and volumes unless deleting them is asked for twice.
//!
//! Needs the `helm` binary that `deploy/local/build.sh` builds.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use local_cluster::{ControlPlane, Options};
use serde::Deserialize;
use serde_yaml::Value;

use support::operator::{Operator, OperatorOptions};
use support::{read, repo, repo_path};

const CHART: &str = "deploy/helm/rustfs-operator";

fn bin(name: &str) -> PathBuf {
    let path = local_cluster::default_bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: run deploy/local/build.sh",
        path.display()
    );
    path
}

/// Helm's config, cache and data homes: a temp dir per test process, so nothing the user
/// has configured (repositories, plugins) plays a part.
fn helm_home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}

fn helm_env(cmd: &mut Command) -> &mut Command {
    let home = helm_home();
    cmd.env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
}

fn helm(args: &[&str]) -> Output {
    let mut cmd = Command::new(bin("helm"));
    helm_env(&mut cmd)
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run helm")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every non-empty document of a multi-document YAML text.
fn documents(yaml: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(yaml)
        .map(|doc| Value::deserialize(doc).expect("YAML document"))
        .filter(|v| !v.is_null())
        .collect()
}

/// `helm template <release> <chart> -n <namespace> <extra>`: the raw text.
fn render_text(release: &str, namespace: &str, extra: &[&str]) -> String {
    let mut args = vec!["template", release, CHART, "--namespace", namespace];
    args.extend_from_slice(extra);
    let out = helm(&args);
    assert!(
        out.status.success(),
        "helm {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn render(release: &str, namespace: &str, extra: &[&str]) -> Vec<Value> {
    documents(&render_text(release, namespace, extra))
}

fn the<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<&Value> = docs.iter().filter(|d| d["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "exactly one {kind} expected: {found:?}");
    found[0]
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// The operator container's env as (name, value) pairs; a value from the downward API
/// reads `fieldRef:<path>`.
fn env_of(deployment: &Value) -> Vec<(String, String)> {
    deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_sequence()
        .expect("env list")
        .iter()
        .map(|e| {
            let value = match e["valueFrom"]["fieldRef"]["fieldPath"].as_str() {
                Some(path) => format!("fieldRef:{path}"),
                None => str_of(&e["value"]).to_owned(),
            };
            (str_of(&e["name"]).to_owned(), value)
        })
        .collect()
}

fn env_value<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn plain_manifests() -> Vec<Value> {
    ["deploy/rbac.yaml", "deploy/deployment.yaml"]
        .iter()
        .flat_map(|f| documents(&read(f)))
        .collect()
}

#[test]
fn chart_lints_strict_with_default_and_override_values() {
    for extra in [
        &[][..],
        &[
            "--set",
            "watchNamespace=tenants,otel.endpoint=http://collector:4317,otel.protocol=grpc",
        ][..],
        &[
            "--set",
            "console.enabled=true,console.jaegerUrl=http://jaeger-query:16686",
        ][..],
    ] {
        let mut args = vec!["lint", "--strict", CHART];
        args.extend_from_slice(extra);
        let out = helm(&args);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 chart(s) linted, 0 chart(s) failed"),
            "helm {args:?}:\n{stdout}\n{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn chart_crd_is_byte_identical_to_the_generated_one() {
    let generated = std::fs::read(repo_path("deploy/crd/tenant.yaml")).unwrap();
    let in_chart = std::fs::read(repo_path(&format!("{CHART}/crds/tenant.yaml"))).unwrap();
    assert!(
        generated == in_chart,
        "{CHART}/crds/tenant.yaml differs from deploy/crd/tenant.yaml; after `make crd` run: \
         cp deploy/crd/tenant.yaml {CHART}/crds/tenant.yaml"
    );
    // `helm template --include-crds` emits it as the first document.
    let docs = render("rustfs-operator", "rustfs-system", &["--include-crds"]);
    assert_eq!(docs[0]["kind"], "CustomResourceDefinition");
    assert_eq!(docs[0]["metadata"]["name"], "tenants.rustfs.com");
}

#[test]
fn default_render_matches_the_plain_manifests() {
    // Release "rustfs-operator" in rustfs-system gives the same names as deploy/.
    let docs = render("rustfs-operator", "rustfs-system", &[]);
    let plain = plain_manifests();

    let ids = |docs: &[Value]| {
        let mut ids: Vec<(String, String, String)> = docs
            .iter()
            .map(|d| {
                (
                    str_of(&d["kind"]).to_owned(),
                    d["metadata"]["namespace"].as_str().unwrap_or("").to_owned(),
                    str_of(&d["metadata"]["name"]).to_owned(),
                )
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&docs), ids(&plain), "same objects as deploy/");

    // RBAC: the very rules of deploy/rbac.yaml, bound to the release's ServiceAccount.
    let rules = &the(&docs, "ClusterRole")["rules"];
    assert_eq!(rules, &the(&plain, "ClusterRole")["rules"]);
    assert!(rules.as_sequence().unwrap().len() >= 8, "{rules:?}");
    let binding = the(&docs, "ClusterRoleBinding");
    assert_eq!(
        binding["roleRef"],
        the(&plain, "ClusterRoleBinding")["roleRef"]
    );
    assert_eq!(
        binding["subjects"],
        the(&plain, "ClusterRoleBinding")["subjects"]
    );

    // Leader election: the Lease rights, in the release namespace only.
    let role = the(&docs, "Role");
    assert_eq!(role["rules"], the(&plain, "Role")["rules"]);
    assert_eq!(role["rules"][0]["apiGroups"][0], "coordination.k8s.io");
    assert_eq!(role["metadata"]["namespace"], "rustfs-system");
    let role_binding = the(&docs, "RoleBinding");
    assert_eq!(
        role_binding["roleRef"],
        the(&plain, "RoleBinding")["roleRef"]
    );
    assert_eq!(
        role_binding["subjects"],
        the(&plain, "RoleBinding")["subjects"]
    );
    assert!(
        !serde_yaml::to_string(rules).unwrap().contains("leases"),
        "no cluster-wide lease rights"
    );

    // The Deployment: same pod as deploy/deployment.yaml, two replicas with leader election.
    let dep = the(&docs, "Deployment");
    let plain_dep = the(&plain, "Deployment");
    for d in [dep, plain_dep] {
        assert_eq!(d["spec"]["replicas"], 2);
        assert_eq!(d["spec"]["strategy"]["type"], "RollingUpdate");
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
        let spread = &d["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
            [0]["podAffinityTerm"];
        assert_eq!(spread["topologyKey"], "kubernetes.io/hostname", "{d:?}");
        for (k, v) in spread["labelSelector"]["matchLabels"]
            .as_mapping()
            .expect("anti-affinity selector")
        {
            let pod_labels = &d["spec"]["template"]["metadata"]["labels"];
            assert_eq!(pod_labels.get(k), Some(v), "anti-affinity picks the pods");
        }
    }
    let pdb = the(&docs, "PodDisruptionBudget");
    assert_eq!(pdb["spec"], {
        let mut plain_spec = the(&plain, "PodDisruptionBudget")["spec"].clone();
        plain_spec["selector"] = dep["spec"]["selector"].clone();
        plain_spec
    });
    assert_eq!(pdb["spec"]["maxUnavailable"], 1);
    let pod = &dep["spec"]["template"]["spec"];
    let plain_pod = &plain_dep["spec"]["template"]["spec"];
    for key in [
        "serviceAccountName",
        "securityContext",
        "terminationGracePeriodSeconds",
    ] {
        assert_eq!(pod[key], plain_pod[key], "pod {key}");
    }
    let c = &pod["containers"][0];
    let plain_c = &plain_pod["containers"][0];
    for key in [
        "name",
        "image",
        "imagePullPolicy",
        "args",
        "env",
        "ports",
        "livenessProbe",
        "readinessProbe",
        "resources",
        "securityContext",
    ] {
        assert_eq!(c[key], plain_c[key], "container {key}");
    }
    // Spelled out, so a change to both files at once still has to keep these.
    let args: Vec<String> = serde_yaml::from_value(c["args"].clone()).unwrap();
    assert_eq!(args, ["server"]);
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(c["livenessProbe"]["httpGet"]["port"], "http");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(c["readinessProbe"]["httpGet"]["port"], "http");
    assert_eq!(c["ports"][0]["name"], "http");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    let env = env_of(dep);
    assert_eq!(
        env_value(&env, "POD_NAMESPACE"),
        Some("fieldRef:metadata.namespace")
    );
    assert_eq!(env_value(&env, "POD_NAME"), Some("fieldRef:metadata.name"));
    for unset in [
        "RUSTFS_OPERATOR_LEADER_ELECT",
        "RUSTFS_OPERATOR_LEASE_NAME",
        "RUSTFS_OPERATOR_LEASE_DURATION",
        "RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE",
        "RUSTFS_OPERATOR_LEASE_RETRY_PERIOD",
        "WATCH_NAMESPACE",
        "CLUSTER_DOMAIN",
        "RUSTFS_DEFAULT_IMAGE",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_SERVICE_NAME",
    ] {
        assert_eq!(
            env_value(&env, unset),
            None,
            "{unset} must be unset by default"
        );
    }

    // Selectors: the Deployment's and the Service's pick the pod.
    let pod_labels = dep["spec"]["template"]["metadata"]["labels"]
        .as_mapping()
        .unwrap();
    for selector in [
        &dep["spec"]["selector"]["matchLabels"],
        &the(&docs, "Service")["spec"]["selector"],
        &pdb["spec"]["selector"]["matchLabels"],
    ] {
        for (k, v) in selector.as_mapping().expect("selector") {
            assert_eq!(pod_labels.get(k), Some(v), "selector {k:?}");
        }
    }
    assert_eq!(
        the(&docs, "Service")["spec"]["ports"],
        the(&plain, "Service")["spec"]["ports"]
    );
}

#[test]
fn values_become_env_only_when_set() {
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(
        &values,
        "watchNamespace: tenants-a\n\
         clusterDomain: corp.example\n\
         defaultImage: registry.example/rustfs:9\n\
         logFormat: text\n\
         logLevel: debug\n\
         image:\n  repository: registry.example/rustfs-operator\n  tag: dev\n\
         otel:\n  endpoint: http://collector.observability:4317\n  protocol: grpc\n  serviceName: op-a\n\
         extraEnv:\n  - name: RUSTFS_OPERATOR_CONCURRENCY\n    value: \"8\"\n\
         leaderElection:\n  leaseName: ops-lease\n  leaseDuration: 30\n  renewDeadline: 20\n  retryPeriod: 4\n\
         nodeSelector:\n  role: infra\n\
         tolerations:\n  - key: infra\n    operator: Exists\n    effect: NoSchedule\n",
    )
    .unwrap();
    let docs = render("ops", "operators", &["-f", values.to_str().unwrap()]);
    let dep = the(&docs, "Deployment");
    let env = env_of(dep);
    let expect = [
        ("RUST_LOG", "debug"),
        ("RUSTFS_OPERATOR_LOG_FORMAT", "text"),
        ("WATCH_NAMESPACE", "tenants-a"),
        ("CLUSTER_DOMAIN", "corp.example"),
        ("RUSTFS_DEFAULT_IMAGE", "registry.example/rustfs:9"),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://collector.observability:4317",
        ),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_SERVICE_NAME", "op-a"),
        ("RUSTFS_OPERATOR_CONCURRENCY", "8"),
        ("RUSTFS_OPERATOR_LEASE_NAME", "ops-lease"),
        ("RUSTFS_OPERATOR_LEASE_DURATION", "30"),
        ("RUSTFS_OPERATOR_LEASE_RENEW_DEADLINE", "20"),
        ("RUSTFS_OPERATOR_LEASE_RETRY_PERIOD", "4"),
    ];
    for (name, value) in expect {
        assert_eq!(env_value(&env, name), Some(value), "{name} in {env:?}");
    }
    let pod = &dep["spec"]["template"]["spec"];
    assert_eq!(
        pod["containers"][0]["image"],
        "registry.example/rustfs-operator:dev"
    );
    assert_eq!(pod["nodeSelector"]["role"], "infra");
    assert_eq!(pod["tolerations"][0]["key"], "infra");
    // Names follow the release; namespaced objects land in the release namespace.
    assert_eq!(dep["metadata"]["name"], "ops-rustfs-operator");
    assert_eq!(pod["serviceAccountName"], "ops-rustfs-operator");
    for d in &docs {
        if d["kind"] != "ClusterRole" && d["kind"] != "ClusterRoleBinding" {
            assert_eq!(d["metadata"]["namespace"], "operators", "{d:?}");
        }
    }
    let binding = the(&docs, "ClusterRoleBinding");
    assert_eq!(binding["roleRef"]["name"], "ops-rustfs-operator");
    assert_eq!(binding["subjects"][0]["name"], "ops-rustfs-operator");
    assert_eq!(binding["subjects"][0]["namespace"], "operators");
    let lease_binding = the(&docs, "RoleBinding");
    assert_eq!(
        lease_binding["roleRef"]["name"],
        "ops-rustfs-operator-leader-election"
    );
    assert_eq!(lease_binding["subjects"][0]["name"], "ops-rustfs-operator");

    // Only the endpoint: the protocol stays unset (the operator's default applies).
    let docs = render(
        "ops",
        "operators",
        &["--set", "otel.endpoint=http://c:4318"],
    );
    let env = env_of(the(&docs, "Deployment"));
    assert_eq!(
        env_value(&env, "OTEL_EXPORTER_OTLP_ENDPOINT"),
        Some("http://c:4318")
    );
    assert_eq!(env_value(&env, "OTEL_EXPORTER_OTLP_PROTOCOL"), None);
    assert_eq!(env_value(&env, "WATCH_NAMESPACE"), None);
}

#[test]
fn replicas_follow_leader_election() {
    // Without leader election: exactly one pod, Recreate, no Lease rights, no PDB.
    let fails = |set: &str| {
        let out = helm(&["template", "x", CHART, "--set", set]);
        assert!(!out.status.success(), "{set} must fail");
        text(&out.stderr)
    };
    let stderr = fails("leaderElection.enabled=false");
    assert!(
        stderr.contains("replicaCount=2") && stderr.contains("exactly one replica"),
        "{stderr}"
    );
    let stderr = fails("leaderElection.enabled=false,replicaCount=3");
    assert!(stderr.contains("replicaCount=3"), "{stderr}");
    assert!(fails("replicaCount=0").contains("at least one"));
    assert!(fails("replicas=2").contains("replicaCount"));

    let single = render(
        "x",
        "default",
        &["--set", "leaderElection.enabled=false,replicaCount=1"],
    );
    let dep = the(&single, "Deployment");
    assert_eq!(dep["spec"]["replicas"], 1);
    assert_eq!(dep["spec"]["strategy"]["type"], "Recreate");
    let env = env_of(dep);
    assert_eq!(
        env_value(&env, "RUSTFS_OPERATOR_LEADER_ELECT"),
        Some("false")
    );
    assert_eq!(env_value(&env, "POD_NAMESPACE"), None);
    for kind in ["Role", "RoleBinding", "PodDisruptionBudget"] {
        assert!(
            single.iter().all(|d| d["kind"] != kind),
            "{kind} without leader election"
        );
    }

    // More standbys are fine; one pod with election on needs no PDB.
    let three = render("x", "default", &["--set", "replicaCount=3"]);
    assert_eq!(the(&three, "Deployment")["spec"]["replicas"], 3);
    the(&three, "PodDisruptionBudget");
    let one = render("x", "default", &["--set", "replicaCount=1"]);
    assert!(one.iter().all(|d| d["kind"] != "PodDisruptionBudget"));
    the(&one, "Role");
    // An affinity of one's own replaces the default spread.
    let own = render(
        "x",
        "default",
        &[
            "--set",
            "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=infra",
            "--set",
            "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists",
        ],
    );
    let affinity = &the(&own, "Deployment")["spec"]["template"]["spec"]["affinity"];
    assert!(affinity["podAntiAffinity"].is_null(), "{affinity:?}");
    assert!(!affinity["nodeAffinity"].is_null(), "{affinity:?}");
}

#[test]
fn the_console_is_off_by_default_and_when_on_matches_deploy_console() {
    let docs = render("rustfs-operator", "rustfs-system", &[]);
    assert!(
        docs.iter()
            .all(|d| !str_of(&d["metadata"]["name"]).contains("console")),
        "no console by default"
    );
    let docs = render(
        "rustfs-operator",
        "rustfs-system",
        &["--set", "console.enabled=true"],
    );
    let plain = documents(&read("deploy/console/console.yaml"));
    let console: Vec<&Value> = docs
        .iter()
        .filter(|d| str_of(&d["metadata"]["name"]).ends_with("-console"))
        .collect();
    let ids = |docs: &[&Value]| {
        let mut ids: Vec<(String, String, String)> = docs
            .iter()
            .map(|d| {
                (
                    str_of(&d["kind"]).to_owned(),
                    str_of(&d["metadata"]["namespace"]).to_owned(),
                    str_of(&d["metadata"]["name"]).to_owned(),
                )
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&console), ids(&plain.iter().collect::<Vec<_>>()));
    assert_eq!(console.len(), 3);

    let of = |docs: &[&Value], kind: &str| -> Value {
        (*docs.iter().find(|d| d["kind"] == kind).unwrap()).clone()
    };
    let (dep, plain_dep) = (
        of(&console, "Deployment"),
        of(&plain.iter().collect::<Vec<_>>(), "Deployment"),
    );
    let (pod, plain_pod) = (
        &dep["spec"]["template"]["spec"],
        &plain_dep["spec"]["template"]["spec"],
    );
    // Acting as the caller: no token in the pod, and no RBAC for the console's account.
    assert_eq!(pod["automountServiceAccountToken"], false);
    assert_eq!(
        of(&console, "ServiceAccount")["automountServiceAccountToken"],
        false
    );
    assert_eq!(pod["volumes"], plain_pod["volumes"]);
    assert!(docs.iter().all(|d| {
        !(d["kind"] == "RoleBinding" || d["kind"] == "ClusterRoleBinding")
            || d["subjects"][0]["name"] != "rustfs-operator-console"
    }));
    for field in [
        "args",
        "ports",
        "livenessProbe",
        "readinessProbe",
        "securityContext",
        "volumeMounts",
        "resources",
    ] {
        assert_eq!(
            pod["containers"][0][field], plain_pod["containers"][0][field],
            "console container {field}"
        );
    }
    assert_eq!(pod["securityContext"], plain_pod["securityContext"]);
    assert_eq!(env_of(&dep), env_of(&plain_dep));
    assert_eq!(dep["spec"]["replicas"], 1);
    // The operator's Service and PodDisruptionBudget never select the console's pods.
    let labels = &pod_labels(&dep);
    for kind in ["Service", "PodDisruptionBudget"] {
        for d in docs
            .iter()
            .filter(|d| d["kind"] == kind && !str_of(&d["metadata"]["name"]).ends_with("-console"))
        {
            let selector = if kind == "Service" {
                &d["spec"]["selector"]
            } else {
                &d["spec"]["selector"]["matchLabels"]
            };
            let matches = selector
                .as_mapping()
                .unwrap()
                .iter()
                .all(|(k, v)| labels.get(k) == Some(v));
            assert!(
                !matches,
                "{kind} {} selects the console",
                str_of(&d["metadata"]["name"])
            );
        }
    }
    let service = of(&console, "Service");
    assert_eq!(service["spec"]["ports"][0]["port"], 9090);
    assert!(
        service["spec"]["selector"]
            .as_mapping()
            .unwrap()
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
    );

    // The Jaeger URL becomes an env var only when set.
    let with_jaeger = render(
        "rustfs-operator",
        "rustfs-system",
        &[
            "--set",
            "console.enabled=true,console.jaegerUrl=http://jaeger-query:16686",
        ],
    );
    let dep = with_jaeger
        .iter()
        .find(|d| d["kind"] == "Deployment" && str_of(&d["metadata"]["name"]).ends_with("-console"))
        .unwrap();
    assert_eq!(
        env_value(&env_of(dep), "RUSTFS_CONSOLE_JAEGER_URL"),
        Some("http://jaeger-query:16686")
    );
    assert_eq!(
        env_value(
            &env_of(&of(&console, "Deployment")),
            "RUSTFS_CONSOLE_JAEGER_URL"
        ),
        None
    );
}

fn pod_labels(deployment: &Value) -> serde_yaml::Mapping {
    deployment["spec"]["template"]["metadata"]["labels"]
        .as_mapping()
        .cloned()
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Against a real control plane.

/// One control plane for this binary (kwok nodes, so Deployments become available), and a
/// lock: the script test installs and removes the cluster-wide CRD and RBAC.
fn cluster() -> (&'static ControlPlane, MutexGuard<'static, ()>) {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let cp = ControlPlane::shared_with(Options::full()).expect("start the local control plane");
    (cp, guard)
}

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn crd_established(cp: &ControlPlane) -> bool {
    cp.kubectl_ok([
        "get",
        "crd/tenants.rustfs.com",
        "-o",
        "jsonpath={.status.conditions[?(@.type==\"Established\")].status}",
    ])
    .is_ok_and(|s| s.trim() == "True")
}

fn exists(cp: &ControlPlane, args: &[&str]) -> bool {
    let mut full = vec!["get"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["-o", "name", "--ignore-not-found"]);
    !cp.kubectl_ok(full).expect("kubectl get").trim().is_empty()
}

fn count(cp: &ControlPlane, args: &[&str]) -> usize {
    let mut full = vec!["get"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["-o", "name"]);
    cp.kubectl_ok(full)
        .expect("kubectl get")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

#[test]
fn rendered_chart_passes_a_server_side_dry_run() {
    let (cp, _lock) = cluster();
    let crd = repo_path(&format!("{CHART}/crds/tenant.yaml"));
    cp.kubectl_ok(["apply", "--server-side", "-f", crd.to_str().unwrap()])
        .expect("the chart's CRD installs");
    // `kubectl wait` errors while the CRD has no conditions yet: poll.
    wait_for("the CRD to be Established", Duration::from_secs(60), || {
        crd_established(cp)
    });

    let ns = cp.new_namespace("helm-dry-run").unwrap();
    for extra in [
        &[][..],
        &[
            "--set",
            "watchNamespace=tenants,otel.endpoint=http://collector:4317,otel.protocol=grpc",
            "--set",
            "console.enabled=true,console.jaegerUrl=http://jaeger-query:16686",
            "--set-json",
            r#"tolerations=[{"key":"infra","operator":"Exists"}]"#,
        ][..],
    ] {
        let yaml = render_text("dry", &ns, extra);
        let docs = documents(&yaml);
        let out = cp
            .kubectl_stdin(["apply", "--dry-run=server", "-f", "-"], &yaml)
            .unwrap_or_else(|e| panic!("server-side dry run of the chart ({extra:?}): {e}"));
        let accepted: Vec<&str> = out
            .lines()
            .filter(|l| l.ends_with("(server dry run)"))
            .collect();
        assert_eq!(accepted.len(), docs.len(), "every object accepted:\n{out}");
        for kind in [
            "serviceaccount/dry-rustfs-operator",
            "clusterrole.rbac.authorization.k8s.io/dry-rustfs-operator",
            "clusterrolebinding.rbac.authorization.k8s.io/dry-rustfs-operator",
            "service/dry-rustfs-operator-metrics",
            "deployment.apps/dry-rustfs-operator",
            "poddisruptionbudget.policy/dry-rustfs-operator",
            "role.rbac.authorization.k8s.io/dry-rustfs-operator-leader-election",
            "rolebinding.rbac.authorization.k8s.io/dry-rustfs-operator-leader-election",
        ] {
            assert!(out.contains(kind), "{kind} missing from:\n{out}");
        }
        if !extra.is_empty() {
            for kind in [
                "serviceaccount/dry-rustfs-operator-console",
                "deployment.apps/dry-rustfs-operator-console",
                "service/dry-rustfs-operator-console",
            ] {
                assert!(out.contains(kind), "{kind} missing from:\n{out}");
            }
        }
    }
    // A dry run persists nothing.
    assert!(!exists(
        cp,
        &["deployment", "dry-rustfs-operator", "-n", &ns]
    ));
}

/// Output of one script run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `scripts/<name>` from a directory outside the repository, against `kubeconfig`.
fn script(kubeconfig: Option<&Path>, name: &str, args: &[&str]) -> Run {
    let elsewhere = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(repo_path(&format!("scripts/{name}")));
    helm_env(&mut cmd)
        .args(args)
        .current_dir(elsewhere.path())
        .env("HELM", bin("helm"))
        .env("KUBECTL", bin("kubectl"));
    match kubeconfig {
        Some(path) => cmd.env("KUBECONFIG", path),
        // Nothing to talk to: usage errors must come before any cluster access.
        None => cmd.env("KUBECONFIG", elsewhere.path().join("missing")),
    };
    let out = cmd.output().expect("run the script");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
    }
}

#[test]
fn scripts_answer_help_and_refuse_bad_usage_before_touching_a_cluster() {
    for name in ["deploy.sh", "check.sh", "cleanup.sh"] {
        let run = script(None, name, &["--help"]);
        assert_eq!(run.code, 0, "{name} --help: {run}");
        assert!(
            run.stdout.starts_with(&format!("Usage: scripts/{name}")),
            "{run}"
        );
        let run = script(None, name, &["--no-such-flag"]);
        assert_eq!(run.code, 2, "{name}: {run}");
        assert!(run.stderr.contains("unknown argument"), "{run}");
    }
    let run = script(None, "cleanup.sh", &["--delete-data"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains("--confirm-delete-data") && run.stderr.contains("Nothing was deleted"),
        "{run}"
    );
    let run = script(None, "cleanup.sh", &["--confirm-delete-data", "x"]);
    assert_eq!(run.code, 2, "{run}");
    let run = script(None, "deploy.sh", &["--namespace", "x"]);
    assert_eq!(run.code, 2, "the kustomization fixes the namespace: {run}");
    let run = script(None, "deploy.sh", &["--set", "a=b"]);
    assert_eq!(run.code, 2, "--set needs --helm: {run}");
}

#[test]
fn scripts_deploy_check_and_clean_up_without_losing_data() {
    let (cp, _lock) = cluster();
    let kc = Some(cp.kubeconfig_path());
    // Start from a cluster without the CRD (the dry-run test may have installed it).
    cp.kubectl_ok([
        "delete",
        "crd",
        "tenants.rustfs.com",
        "--ignore-not-found",
        "--wait=true",
    ])
    .unwrap();

    // Nothing installed: both checks fail.
    let run = script(kc, "check.sh", &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .contains("CRD tenants.rustfs.com is not installed")
            && run.stdout.contains("no operator Deployment"),
        "{run}"
    );

    // kubectl apply -k deploy/, then the Deployment becomes available (kwok runs the pod).
    let run = script(kc, "deploy.sh", &["--timeout", "120"]);
    assert_eq!(run.code, 0, "deploy.sh: {run}");
    assert!(crd_established(cp));
    let available = cp
        .kubectl_ok([
            "get",
            "deployment/rustfs-operator",
            "-n",
            "rustfs-system",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"Available\")].status}",
        ])
        .unwrap();
    assert_eq!(available.trim(), "True");
    let run = script(kc, "check.sh", &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout
            .contains("deployment rustfs-system/rustfs-operator is Available")
            && run.stdout.contains("check: all good"),
        "{run}"
    );
    // Idempotent.
    let run = script(kc, "deploy.sh", &["--timeout", "120"]);
    assert_eq!(run.code, 0, "second deploy.sh: {run}");

    // A Tenant with real volumes: the operator binary, authenticated as the ServiceAccount
    // deploy.sh created, provisions it (kwok binds the claims and readies the pod).
    let ns = cp.new_namespace("scripts-data").unwrap();
    let other = cp.new_namespace("scripts-other").unwrap();
    cp.kubectl_ok([
        "apply",
        "-n",
        &ns,
        "-f",
        repo_path("examples/minimal-dev-tenant.yaml")
            .to_str()
            .unwrap(),
    ])
    .unwrap();
    {
        let _operator = Operator::start(cp, &ns, OperatorOptions::default());
        wait_for("the Tenant to be Ready", Duration::from_secs(120), || {
            cp.kubectl_ok([
                "get",
                "tenant/dev",
                "-n",
                &ns,
                "-o",
                "jsonpath={.status.phase}",
            ])
            .is_ok_and(|p| p == "Ready")
        });
    } // the operator stops here: nothing rewrites the status below
    let claims = count(
        cp,
        &[
            "pvc",
            "-n",
            &ns,
            "-l",
            "app.kubernetes.io/managed-by=rustfs-operator,rustfs.com/tenant=dev",
        ],
    );
    assert_eq!(claims, 4, "minimal-dev: 1 server x 4 volumes");

    let run = script(kc, "check.sh", &[]);
    assert_eq!(run.code, 0, "{run}");
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with(ns.as_str()))
        .unwrap_or_else(|| panic!("no row for {ns}: {run}"));
    assert_eq!(
        row.split_whitespace().take(4).collect::<Vec<_>>(),
        [ns.as_str(), "dev", "Ready", "1/1"],
        "{run}"
    );

    // Degraded (and Failed) fail the check.
    for phase in ["Degraded", "Failed"] {
        cp.kubectl_ok([
            "patch",
            "tenant/dev",
            "-n",
            &ns,
            "--subresource=status",
            "--type=merge",
            "-p",
            &format!(r#"{{"status":{{"phase":"{phase}"}}}}"#),
        ])
        .unwrap();
        let run = script(kc, "check.sh", &["--tenant-namespace", &ns]);
        assert_eq!(run.code, 1, "{phase}: {run}");
        assert!(
            run.stdout
                .contains(&format!("FAIL  tenant {ns}/dev is {phase}")),
            "{run}"
        );
    }
    // Tenants elsewhere are not judged with --tenant-namespace.
    let run = script(kc, "check.sh", &["--tenant-namespace", &other]);
    assert_eq!(run.code, 0, "{run}");

    // Plain cleanup: the operator goes, the data stays.
    let run = script(kc, "cleanup.sh", &[]);
    assert_eq!(run.code, 0, "cleanup.sh: {run}");
    assert!(!exists(
        cp,
        &["deployment/rustfs-operator", "-n", "rustfs-system"]
    ));
    assert!(!exists(cp, &["clusterrole/rustfs-operator"]));
    assert!(!exists(cp, &["clusterrolebinding/rustfs-operator"]));
    assert!(!exists(cp, &["namespace/rustfs-system"]), "{run}");
    assert!(exists(cp, &["crd/tenants.rustfs.com"]));
    assert!(exists(cp, &["tenant/dev", "-n", &ns]));
    assert!(exists(cp, &["statefulset/dev-pool-0", "-n", &ns]));
    assert_eq!(count(cp, &["pvc", "-n", &ns]), 4);
    assert!(
        run.stdout.contains("Kept: 1 Tenant(s) and 4 operator-made")
            && run
                .stdout
                .contains("scripts/cleanup.sh --delete-data --confirm-delete-data <namespace>"),
        "{run}"
    );

    // --delete-crd alone is refused while a Tenant exists, before anything is deleted.
    let run = script(kc, "cleanup.sh", &["--delete-crd"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("refusing --delete-crd"), "{run}");
    assert!(exists(cp, &["crd/tenants.rustfs.com"]));
    assert!(exists(cp, &["tenant/dev", "-n", &ns]));

    // --delete-data without a confirmation deletes nothing.
    let run = script(kc, "cleanup.sh", &["--delete-data"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(count(cp, &["pvc", "-n", &ns]), 4);

    // Confirming another namespace leaves this one alone.
    let run = script(
        kc,
        "cleanup.sh",
        &["--delete-data", "--confirm-delete-data", &other],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(exists(cp, &["tenant/dev", "-n", &ns]));
    assert_eq!(count(cp, &["pvc", "-n", &ns]), 4);

    // Both arguments naming this namespace: Tenant, StatefulSet and claims go, then the CRD.
    let run = script(
        kc,
        "cleanup.sh",
        &[
            "--delete-data",
            "--confirm-delete-data",
            &ns,
            "--delete-crd",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(!exists(cp, &["statefulset/dev-pool-0", "-n", &ns]));
    assert_eq!(count(cp, &["pvc", "-n", &ns]), 0, "{run}");
    assert!(!exists(cp, &["crd/tenants.rustfs.com"]), "{run}");

    // The Helm way: its own namespace and release name, values passed through.
    let ops = format!("helm-ops-{}", std::process::id());
    let values = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(values.path(), "otel:\n  endpoint: http://collector:4317\n").unwrap();
    let run = script(
        kc,
        "deploy.sh",
        &[
            "--helm",
            "-n",
            &ops,
            "--release",
            "rel",
            "--set",
            &format!("watchNamespace={ns}"),
            "-f",
            values.path().to_str().unwrap(),
            "--timeout",
            "120",
        ],
    );
    assert_eq!(run.code, 0, "deploy.sh --helm: {run}");
    assert!(run.stdout.contains("STATUS: deployed"), "{run}");
    assert!(crd_established(cp), "deploy.sh --helm installs the CRD");
    let ns_labels = cp
        .kubectl_ok([
            "get",
            "namespace",
            &ops,
            "-o",
            "jsonpath={.metadata.labels}",
        ])
        .unwrap();
    assert!(
        ns_labels.contains(r#""pod-security.kubernetes.io/enforce":"restricted""#),
        "{ns_labels}"
    );
    let env = cp
        .kubectl_ok([
            "get",
            "deployment/rel-rustfs-operator",
            "-n",
            &ops,
            "-o",
            "jsonpath={range .spec.template.spec.containers[0].env[*]}{.name}={.value}{\"\\n\"}{end}",
        ])
        .unwrap();
    assert!(env.contains(&format!("WATCH_NAMESPACE={ns}\n")), "{env}");
    assert!(
        env.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317\n"),
        "{env}"
    );
    let run = script(kc, "check.sh", &["-n", &ops]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains(&format!(
            "deployment {ops}/rel-rustfs-operator is Available"
        )),
        "{run}"
    );

    // Without --helm, cleanup points at the release instead of half-removing it.
    let run = script(kc, "cleanup.sh", &["-n", &ops]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("--helm --release rel"), "{run}");
    assert!(exists(cp, &["deployment/rel-rustfs-operator", "-n", &ops]));

    let run = script(
        kc,
        "cleanup.sh",
        &["--helm", "-n", &ops, "--release", "rel"],
    );
    assert_eq!(run.code, 0, "cleanup.sh --helm: {run}");
    assert!(!exists(cp, &["clusterrole/rel-rustfs-operator"]));
    assert!(!exists(cp, &["namespace", &ops]), "{run}");
    assert!(exists(cp, &["crd/tenants.rustfs.com"]), "the CRD stays");
}
